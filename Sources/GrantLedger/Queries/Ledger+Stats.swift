internal import EventLog
public import GrantWorkflow

extension Ledger {
    /// `query stats`: projects by status, unit and province; overdue projects; change requests by kind
    /// and status; closeouts and adjustments by status; median days from reaching a level to its
    /// decision, per level. Counted over what `viewer` may see.
    public func stats(as viewer: Viewer, asOf: AsOf? = nil) throws(LedgerError) -> JSONValue {
        try withModels { models, txn in
            let visibility = try Visibility(viewer, directory: models)
            if let asOf {
                let (state, time) = try stateAsOf(asOf, txn: txn)
                return Self.stats(state, visibility: visibility, today: today(asOf: asOf, lastEventTime: time))
            }
            return Self.stats(models, visibility: visibility, today: today(asOf: nil, lastEventTime: nil))
        }
    }

    static func stats(_ source: some QuerySource, visibility: Visibility, today: CalendarDate) -> JSONValue {
        var byStatus: [String: Int] = [:]
        var byUnit: [String: Int] = [:]
        var byProvince: [String: Int] = [:]
        var byCategory: [String: Int] = [:]
        var overdue = 0
        var visible: Set<String> = []
        source.forEachProject { project in
            guard visibility.sees(project) else { return }
            visible.insert(project.projectNo)
            byStatus[project.status.rawValue, default: 0] += 1
            byUnit[project.unitId, default: 0] += 1
            byProvince[visibility.provinceId(ofUnit: project.unitId) ?? "", default: 0] += 1
            byCategory[project.category.rawValue, default: 0] += 1
            if project.isOverdue(on: today) { overdue += 1 }
        }
        var changeKinds: [String: Int] = [:]
        var changeStatus: [String: Int] = [:]
        var waits: [ReviewLevel: [Double]] = [:]
        func recordWaits(_ submittedAt: Timestamp?, _ decisions: [ReviewRecord]) {
            var reached = submittedAt
            for decision in decisions {
                if let start = reached, start <= decision.at {
                    let days = Double(decision.at.epochMilliseconds - start.epochMilliseconds) / 86_400_000
                    waits[decision.level, default: []].append(days)
                }
                reached = decision.at
            }
        }
        source.forEachChangeRequest { request in
            guard visible.contains(request.projectNo) else { return }
            changeKinds[request.kind.rawValue, default: 0] += 1
            changeStatus[request.status.rawValue, default: 0] += 1
            recordWaits(request.submittedAt, request.decisions)
        }
        var closeoutStatus: [String: Int] = [:]
        var grades: [String: Int] = [:]
        source.forEachCloseout { closeout in
            guard visible.contains(closeout.projectNo) else { return }
            closeoutStatus[closeout.status.rawValue, default: 0] += 1
            if let grade = closeout.grade { grades[grade.rawValue, default: 0] += 1 }
            recordWaits(closeout.submittedAt, closeout.decisions)
        }
        var adjustmentStatus: [String: Int] = [:]
        source.forEachBudgetAdjustment { adjustment in
            guard visible.contains(adjustment.projectNo) else { return }
            adjustmentStatus[adjustment.status.rawValue, default: 0] += 1
            recordWaits(adjustment.submittedAt, adjustment.decisions)
        }
        func counts(_ map: [String: Int]) -> JSONValue { .object(map.keys.sorted().map { ($0, .int(map[$0] ?? 0)) }) }
        let medians: [(String, JSONValue)] = ReviewLevel.allCases.map { level in
            let values = (waits[level] ?? []).sorted()
            guard !values.isEmpty else { return (level.rawValue, .null) }
            let middle = values.count / 2
            let median = values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
            return (level.rawValue, .number(String((median * 10).rounded() / 10)))
        }
        return .object([
            ("projects", .int(visible.count)), ("projectsByStatus", counts(byStatus)),
            ("projectsByCategory", counts(byCategory)), ("projectsByUnit", counts(byUnit)),
            ("projectsByProvince", counts(byProvince)), ("overdue", .int(overdue)),
            ("changesByKind", counts(changeKinds)), ("changesByStatus", counts(changeStatus)),
            ("closeoutsByStatus", counts(closeoutStatus)), ("closeoutGrades", counts(grades)),
            ("adjustmentsByStatus", counts(adjustmentStatus)), ("medianDaysToDecision", .object(medians)),
        ])
    }
}
