import Foundation

/// A small deterministic PRNG (SplitMix64) for reproducible random workloads.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random command lines over the standard world: interleaved episodes (a change request or budget
/// adjustment from draft through random reviews, recalls and cancels), so that many commands are
/// accepted, many rejected, and every path is touched.
enum RandomWorkload {
    static let projects = (1...12).map { String(format: "24BZX%03d", $0) }
    static let decisions = ["approve", "approve", "approve", "return", "reject", "notAccept"]

    /// The standard world plus eleven more projects of L1, then about `count` random commands.
    static func lines(count: Int, seed: UInt64) -> [String] {
        var rng = SeededGenerator(seed: seed)
        var lines = Scenario.standard + projects.dropFirst().map { Scenario.project($0) }
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &rng)] }
        var episodes: [[String]] = []
        var serial = 0
        func newEpisode() -> [String] {
            serial += 1
            let project = pick(projects)
            if Int.random(in: 0..<4, using: &rng) == 0 { return adjustmentEpisode("BA-\(serial)", project) }
            return changeEpisode("CR-\(serial)", project)
        }
        func review(_ command: String, _ field: String, _ id: String) -> [String] {
            var steps: [String] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                steps.append(
                    line(
                        command, [field: id, "decision": pick(decisions), "opinion": "意见"],
                        by: pick(["UA1", "UA1", "PO1", "PO1", "N0", "N0", "UA2", "PO2"])))
            }
            return steps
        }
        func changeEpisode(_ id: String, _ project: String) -> [String] {
            let (kind, details): (String, [String: Any]) = pick([
                (
                    "extension",
                    ["newEndDate": pick(["2028-06-30", "2028-12-31", "2027-06-30"]), "progress": "进展", "plan": "计划"]
                ),
                ("changeTitle", ["newTitle": "新题目\(id)"]),
                ("changeDeliverableForm", ["newForm": pick(["researchReport", "papers", "monograph"])]),
                ("changeMembers", ["add": [] as [Any], "remove": [IDs.member]]),
                ("majorContentAdjustment", ["original": "原内容", "adjusted": "新内容", "impact": "影响"]),
            ])
            var steps = [
                line(
                    "draftChangeRequest",
                    ["requestId": id, "projectNo": project, "kind": kind, "details": details, "reason": "理由"], by: "L1"),
                line("submitChangeRequest", ["requestId": id], by: "L1"),
            ]
            steps += review("reviewChangeRequest", "requestId", id)
            if Int.random(in: 0..<3, using: &rng) == 0 {
                steps.append(line(pick(["recallChangeRequest", "cancelChangeRequest"]), ["requestId": id], by: "L1"))
            }
            steps += review("reviewChangeRequest", "requestId", id)
            steps.append(line("cancelChangeRequest", ["requestId": id], by: "L1"))
            return steps
        }
        func adjustmentEpisode(_ id: String, _ project: String) -> [String] {
            var steps = [
                line(
                    "draftBudgetAdjustment",
                    [
                        "adjustmentId": id, "projectNo": project,
                        "direct": pick([
                            ["equipment": 50_000, "business": 350_000, "labor": 100_000],
                            ["equipment": 100_000, "business": 250_000, "labor": 150_000],
                        ]), "indirect": 100_000, "external": [] as [Any], "reason": "调整",
                    ], by: "L1"),
                line("submitBudgetAdjustment", ["adjustmentId": id], by: "L1"),
            ]
            steps += review("reviewBudgetAdjustment", "adjustmentId", id)
            steps.append(line("cancelBudgetAdjustment", ["adjustmentId": id], by: "L1"))
            return steps
        }
        var produced = 0
        while produced < count {
            if episodes.count < 6 { episodes.append(newEpisode()) }
            let index = Int.random(in: 0..<episodes.count, using: &rng)
            lines.append(episodes[index].removeFirst())
            produced += 1
            if episodes[index].isEmpty { episodes.remove(at: index) }
        }
        return lines
    }
}
