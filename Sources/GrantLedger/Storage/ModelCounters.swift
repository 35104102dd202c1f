internal import GrantWorkflow

/// The counters `query stats` reads instead of visiting every project and item: how many projects,
/// change requests, closeouts and adjustments of each unit have each status, kind, category and
/// grade, and how long each review level took, in tenths of a day. Each stored entity adds to
/// counters of its project's current unit; ``ModelStore`` moves them when an entity changes (and
/// all of a project's items when the project changes unit), and a rebuild counts them afresh, so
/// the live counters equal a rebuild's (R-LOG-5).
enum ModelCounters {
    /// One unit's counter: a dimension (`projectStatus` …) and a value (`active` …).
    struct Counter: Hashable {
        var unit: String
        var dimension: String
        var value: String
    }

    /// The dimension of a review level's waiting times.
    static func waitDimension(_ level: ReviewLevel) -> String { "wait." + level.rawValue }

    /// A waiting time in tenths of a day, zero-padded so that keys sort by it.
    static func tenths(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The waiting times of an item's decisions, per level, in tenths of a day (the same rounding
    /// for counters and for scans).
    static func waits(_ submittedAt: Timestamp?, _ decisions: [ReviewRecord]) -> [(ReviewLevel, Int)] {
        var result: [(ReviewLevel, Int)] = []
        var reached = submittedAt
        for decision in decisions {
            if let start = reached, start <= decision.at {
                let days = Double(decision.at.epochMilliseconds - start.epochMilliseconds) / 86_400_000
                result.append((decision.level, Int((days * 10).rounded())))
            }
            reached = decision.at
        }
        return result
    }

    static func counters(of project: Project?) -> [Counter] {
        guard let project else { return [] }
        return [
            Counter(unit: project.unitId, dimension: "projectStatus", value: project.status.rawValue),
            Counter(unit: project.unitId, dimension: "projectCategory", value: project.category.rawValue),
        ]
    }

    static func counters(of request: ChangeRequest?, unit: String) -> [Counter] {
        guard let request else { return [] }
        return [
            Counter(unit: unit, dimension: "changeKind", value: request.kind.rawValue),
            Counter(unit: unit, dimension: "changeStatus", value: request.status.rawValue),
        ] + waitCounters(request.submittedAt, request.decisions, unit: unit)
    }

    static func counters(of closeout: Closeout?, unit: String) -> [Counter] {
        guard let closeout else { return [] }
        var counters = [Counter(unit: unit, dimension: "closeoutStatus", value: closeout.status.rawValue)]
        if let grade = closeout.grade {
            counters.append(Counter(unit: unit, dimension: "closeoutGrade", value: grade.rawValue))
        }
        return counters + waitCounters(closeout.submittedAt, closeout.decisions, unit: unit)
    }

    static func counters(of adjustment: BudgetAdjustment?, unit: String) -> [Counter] {
        guard let adjustment else { return [] }
        return [Counter(unit: unit, dimension: "adjustmentStatus", value: adjustment.status.rawValue)]
            + waitCounters(adjustment.submittedAt, adjustment.decisions, unit: unit)
    }

    private static func waitCounters(_ submittedAt: Timestamp?, _ decisions: [ReviewRecord], unit: String) -> [Counter]
    {
        waits(submittedAt, decisions).map { Counter(unit: unit, dimension: waitDimension($0.0), value: tenths($0.1)) }
    }

    static func key(_ counter: Counter) -> [UInt8] {
        ModelKey.make(.counter, counter.unit, counter.dimension, counter.value)
    }

    /// The change each counter takes when `old` becomes `new` (zero changes left out).
    static func deltas(old: [Counter], new: [Counter]) -> [Counter: Int] {
        var delta: [Counter: Int] = [:]
        for counter in old { delta[counter, default: 0] -= 1 }
        for counter in new { delta[counter, default: 0] += 1 }
        return delta.filter { $0.value != 0 }
    }

    /// Every counter of an in-memory state, for a rebuild.
    static func all(of state: WorkflowState) -> [Counter: Int] {
        var totals: [Counter: Int] = [:]
        func add(_ counters: [Counter]) { for counter in counters { totals[counter, default: 0] += 1 } }
        func unit(_ projectNo: String) -> String { state.projects[projectNo]?.unitId ?? "" }
        for project in state.projects.values { add(counters(of: project)) }
        for request in state.changeRequests.values { add(counters(of: request, unit: unit(request.projectNo))) }
        for closeout in state.closeouts.values { add(counters(of: closeout, unit: unit(closeout.projectNo))) }
        for adjustment in state.budgetAdjustments.values {
            add(counters(of: adjustment, unit: unit(adjustment.projectNo)))
        }
        return totals
    }

    /// The median of a multiset of tenths of a day (value → count), in days to one decimal.
    static func medianDays(_ counts: [Int: Int]) -> Double? {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return nil }
        let sorted = counts.keys.sorted()
        func element(_ index: Int) -> Int {
            var seen = 0
            for value in sorted {
                seen += counts[value] ?? 0
                if index < seen { return value }
            }
            return sorted.last ?? 0
        }
        let middle = total / 2
        let tenths = total % 2 == 1 ? Double(element(middle)) : Double(element(middle - 1) + element(middle)) / 2
        return (tenths).rounded() / 10
    }
}
