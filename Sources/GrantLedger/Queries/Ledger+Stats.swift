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
                // Counted as the projects stood then; which projects count, by who sees them now
                // (R-CHG-7), as `query projects --as-of` lists them: a unit admin does not count the
                // projects its unit has since lost, and counts those it has gained.
                return Self.stats(state, visibility: visibility, today: today(asOf: asOf, lastEventTime: time)) {
                    visibility.isOperator || models.projectSummaryView($0.projectNo).map(visibility.sees) == true
                }
            }
            let today = today(asOf: nil, lastEventTime: nil)
            if let units = Self.scopeUnits(visibility, in: models) {
                return Self.countedStats(models, units: units, visibility: visibility, today: today)
            }
            return Self.stats(models, visibility: visibility, today: today)
        }
    }

    /// The units whose counters make up the viewer's stats: every unit for the operator and the
    /// national office, a province's units, one unit; nil for a leader or an expert, whose few
    /// projects are counted one by one.
    static func scopeUnits(_ visibility: Visibility, in models: ModelStore) -> [String]? {
        var units: [String] = []
        switch visibility.account?.role {
        case nil, .nationalOffice?:
            models.forEachUnit { units.append($0.id) }
        case .provincialOffice?:
            let province = visibility.account?.provinceId
            models.forEachUnit { if $0.provinceId == province { units.append($0.id) } }
        case .unitAdmin?:
            units = [visibility.account?.unitId ?? ""]
        case .leader?, .expert?:
            return nil
        }
        return units
    }

    /// `query stats` from the counters the projections keep (``ModelCounters``) and the index of
    /// projects by end date: a handful of reads per unit, whatever the size of the store.
    static func countedStats(
        _ models: ModelStore, units: [String], visibility: Visibility, today: CalendarDate
    ) -> JSONValue {
        var tally = StatsTally()
        let dueBefore = Array(today.description.utf8)
        for unit in units {
            for (dimension, value, count) in models.counters(unit: unit) {
                switch dimension {
                case "projectStatus":
                    tally.projects += count
                    tally.byStatus[value, default: 0] += count
                    tally.byUnit[unit, default: 0] += count
                    tally.byProvince[visibility.provinceId(ofUnit: unit) ?? "", default: 0] += count
                case "projectCategory": tally.byCategory[value, default: 0] += count
                case "changeKind": tally.changeKinds[value, default: 0] += count
                case "changeStatus": tally.changeStatus[value, default: 0] += count
                case "closeoutStatus": tally.closeoutStatus[value, default: 0] += count
                case "closeoutGrade": tally.grades[value, default: 0] += count
                case "adjustmentStatus": tally.adjustmentStatus[value, default: 0] += count
                default:
                    if let level = ReviewLevel.allCases.first(where: { ModelCounters.waitDimension($0) == dimension }),
                        let tenths = Int(value)
                    {
                        tally.waits[level, default: [:]][tenths, default: 0] += count
                    }
                }
            }
            tally.overdue += models.projectsDue(unit: unit, before: dueBefore)
        }
        return tally.json
    }

    /// `query stats` by a scan of `source`, counting the projects `sees` admits (by default, those
    /// the viewer sees in `source` itself) and their items.
    static func stats(
        _ source: some QuerySource, visibility: Visibility, today: CalendarDate,
        sees: ((Project) -> Bool)? = nil
    ) -> JSONValue {
        var tally = StatsTally()
        var visible: Set<String> = []
        source.forEachProject { project in
            guard sees?(project) ?? visibility.sees(project) else { return }
            visible.insert(project.projectNo)
            tally.projects += 1
            tally.byStatus[project.status.rawValue, default: 0] += 1
            tally.byUnit[project.unitId, default: 0] += 1
            tally.byProvince[visibility.provinceId(ofUnit: project.unitId) ?? "", default: 0] += 1
            tally.byCategory[project.category.rawValue, default: 0] += 1
            if project.isOverdue(on: today) { tally.overdue += 1 }
        }
        func recordWaits(_ submittedAt: Timestamp?, _ decisions: [ReviewRecord]) {
            for (level, tenths) in ModelCounters.waits(submittedAt, decisions) {
                tally.waits[level, default: [:]][tenths, default: 0] += 1
            }
        }
        source.forEachChangeRequest { request in
            guard visible.contains(request.projectNo) else { return }
            tally.changeKinds[request.kind.rawValue, default: 0] += 1
            tally.changeStatus[request.status.rawValue, default: 0] += 1
            recordWaits(request.submittedAt, request.decisions)
        }
        source.forEachCloseout { closeout in
            guard visible.contains(closeout.projectNo) else { return }
            tally.closeoutStatus[closeout.status.rawValue, default: 0] += 1
            if let grade = closeout.grade { tally.grades[grade.rawValue, default: 0] += 1 }
            recordWaits(closeout.submittedAt, closeout.decisions)
        }
        source.forEachBudgetAdjustment { adjustment in
            guard visible.contains(adjustment.projectNo) else { return }
            tally.adjustmentStatus[adjustment.status.rawValue, default: 0] += 1
            recordWaits(adjustment.submittedAt, adjustment.decisions)
        }
        return tally.json
    }
}

/// What `query stats` counts, from counters or from a scan, and its JSON.
struct StatsTally {
    var projects = 0
    var byStatus: [String: Int] = [:]
    var byUnit: [String: Int] = [:]
    var byProvince: [String: Int] = [:]
    var byCategory: [String: Int] = [:]
    var overdue = 0
    var changeKinds: [String: Int] = [:]
    var changeStatus: [String: Int] = [:]
    var closeoutStatus: [String: Int] = [:]
    var grades: [String: Int] = [:]
    var adjustmentStatus: [String: Int] = [:]
    /// Waiting times per level: tenths of a day → how many.
    var waits: [ReviewLevel: [Int: Int]] = [:]

    var json: JSONValue {
        func counts(_ map: [String: Int]) -> JSONValue { .object(map.keys.sorted().map { ($0, .int(map[$0] ?? 0)) }) }
        let medians: [(String, JSONValue)] = ReviewLevel.allCases.map { level in
            guard let median = ModelCounters.medianDays(waits[level] ?? [:]) else { return (level.rawValue, .null) }
            return (level.rawValue, .number(String(median)))
        }
        return .object([
            ("projects", .int(projects)), ("projectsByStatus", counts(byStatus)),
            ("projectsByCategory", counts(byCategory)), ("projectsByUnit", counts(byUnit)),
            ("projectsByProvince", counts(byProvince)), ("overdue", .int(overdue)),
            ("changesByKind", counts(changeKinds)), ("changesByStatus", counts(changeStatus)),
            ("closeoutsByStatus", counts(closeoutStatus)), ("closeoutGrades", counts(grades)),
            ("adjustmentsByStatus", counts(adjustmentStatus)), ("medianDaysToDecision", .object(medians)),
        ])
    }
}
