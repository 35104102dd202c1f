import Foundation
import Testing

/// The CLI under stress: racing processes, SIGKILL, long random workloads, fuzzed input.
@Suite("CLI robustness")
struct CLIRobustnessTests {
    static let now = ["GRANTLEDGER_NOW": "2026-03-01T09:00:00+08:00"]

    @Test("two processes racing for the same change kind: exactly one wins per project (R-CHG-3)")
    func racingProcesses() async throws {
        let dir = TemporaryDirectory()
        let projects = (1...12).map { String(format: "24BZX%03d", $0) }
        let setup = Scenario.standard + projects.dropFirst().map { Scenario.project($0) }
        #expect(try apply(setup, store: dir.path, environment: Self.now).status == 0)
        func attempts(_ prefix: String) -> [String] {
            projects.map { project in
                line(
                    "draftChangeRequest",
                    [
                        "requestId": "\(prefix)-\(project)", "projectNo": project, "kind": "extension",
                        "details": ["newEndDate": "2028-06-30", "progress": "进展", "plan": "计划"], "reason": "理由",
                    ], by: "L1")
            }
        }
        // Both processes run at once: each gets its lines as they are written, alternately, a filler
        // command (its own province) and then the contested draft of each project, to A and at once to B.
        let store = dir.path
        let processA = try CoProcess(["apply", "-", "--trust-command-time"], store: store, environment: Self.now)
        let processB = try CoProcess(["apply", "-", "--trust-command-time"], store: store, environment: Self.now)
        func filler(_ prefix: String, _ index: Int) -> String {
            line("createProvince", ["provinceId": "\(prefix)\(index)", "name": "省\(index)"], by: "N0")
        }
        for index in 0..<20 {
            processA.send(filler("A", index))
            processB.send(filler("B", index))
            try await Task.sleep(for: .milliseconds(2))
        }
        for (draftA, draftB) in zip(attempts("A"), attempts("B")) {
            processA.send(draftA)
            processB.send(draftB)
            try await Task.sleep(for: .milliseconds(2))
        }
        let (fullA, fullB) = (processA.finish(), processB.finish())
        func positions(_ result: CLIResult) -> [Int] { result.results.compactMap { $0["position"] as? Int } }
        let (positionsA, positionsB) = (positions(fullA), positions(fullB))
        #expect(positionsA.count >= 20 && positionsB.count >= 20)
        // Overlap: each process appended both before and after the other's first append.
        let overlapped =
            max(positionsA.min() ?? 0, positionsB.min() ?? 0) < min(positionsA.max() ?? 0, positionsB.max() ?? 0)
        #expect(overlapped, "the two processes did not run at the same time: \(positionsA) \(positionsB)")
        let drafts = 20..<(20 + projects.count)
        let resultsA = Array(fullA.results[drafts])
        let resultsB = Array(fullB.results[drafts])
        for index in projects.indices {
            let okA = resultsA[index]["ok"] as? Bool == true
            let okB = resultsB[index]["ok"] as? Bool == true
            #expect(okA != okB, "project \(projects[index]): exactly one of the two drafts must win")
            let loser = okA ? resultsB[index] : resultsA[index]
            #expect((loser["error"] as? [String: Any])?["code"] as? String == "duplicatePendingChange")
        }
        #expect(try runCLI(["replay", "verify"], store: store).status == 0)
        #expect(try runCLI(["replay", "rebuild", "--check"], store: store).status == 0)
    }

    @Test("SIGKILL during a long apply: every printed result is in the store and the log verifies")
    func killedDuringApply() throws {
        let dir = TemporaryDirectory()
        #expect(try apply(Scenario.organisation, store: dir.path, environment: Self.now).status == 0)
        let count = 6_000
        let input = (1...count).map { index in
            Scenario.project(String(format: "25BZX%05d", index)).replacingOccurrences(
                of: "{", with: "{\"id\":\"p-\(index)\",", options: .anchored)
        }
        let file = dir.child("long.jsonl")
        try (input.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try grantledgerExecutable())
        process.arguments = ["apply", file]
        var env = ProcessInfo.processInfo.environment
        env["GRANTLEDGER_STORE"] = dir.path
        env.merge(Self.now) { $1 }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var printed = Data()
        let handle = output.fileHandleForReading
        var killed = false
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            printed.append(chunk)
            if !killed && printed.reduce(0, { $0 + ($1 == 0x0A ? 1 : 0) }) >= 1_500 {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        #expect(killed, "apply finished before it could be killed; make the input longer")
        let lines = String(decoding: printed, as: UTF8.self).split(separator: "\n").map(String.init)
        // A torn last line may be cut; every complete one must be in the store.
        let complete = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(complete.count >= 1_500)
        let verify = try runCLI(["replay", "verify"], store: dir.path)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let listed = try runCLI(["query", "projects", "--format", "json"], store: dir.path, environment: Self.now)
        let numbers = Set(((listed.json as? [[String: Any]]) ?? []).compactMap { $0["projectNo"] as? String })
        for result in complete {
            #expect(result["ok"] as? Bool == true)
            let id = try #require(result["id"] as? String)
            let index = try #require(Int(id.dropFirst(2)))
            #expect(numbers.contains(String(format: "25BZX%05d", index)), "\(id) was acknowledged but is missing")
        }
        #expect(try runCLI(["replay", "rebuild", "--check"], store: dir.path).status == 0)
    }

    @Test("after a long random workload the projections equal a rebuild from the log (R-LOG-5)")
    func randomWorkloadRebuildCheck() throws {
        let dir = TemporaryDirectory()
        let lines = RandomWorkload.lines(count: 1_500, seed: 42)
        let result = try apply(lines, store: dir.path, environment: Self.now)
        #expect(result.results.count == lines.count)
        let accepted = result.results.filter { $0["ok"] as? Bool == true }.count
        let codes = Dictionary(
            grouping: result.results.compactMap { ($0["error"] as? [String: Any])?["code"] as? String }
        ) { $0 }
        .mapValues(\.count)
        #expect(accepted > 250, "the workload should do real work, accepted \(accepted), rejected \(codes)")
        let check = try runCLI(["replay", "rebuild", "--check"], store: dir.path)
        #expect(check.status == 0, "\(check.stdout)")
        #expect(try runCLI(["replay", "verify"], store: dir.path).status == 0)
    }

    @Test("fuzzed and random lines: no crash, every line answered, rejected lines change nothing")
    func fuzzedApply() throws {
        let dir = TemporaryDirectory()
        #expect(try apply(Scenario.standard, store: dir.path, environment: Self.now).status == 0)
        var rng = SeededGenerator(seed: 7)
        let seeds = RandomWorkload.lines(count: 200, seed: 3)
        var lines: [String] = []
        for _ in 0..<1_500 {
            var bytes = Array(seeds[Int.random(in: 0..<seeds.count, using: &rng)].utf8)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            case 1:
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            case 2:
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.insert(
                    contentsOf: Array(pick(["[", "{", "\"", "\\u0000", "1e999", "-0", "null", "\\ud800"]).utf8), at: at)
            case 3:
                bytes = (0..<Int.random(in: 1...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 4:
                bytes = Array(String(repeating: "[", count: Int.random(in: 1...5_000, using: &rng)).utf8)
            default:
                break
            }
            bytes.removeAll { $0 == 0x0A || $0 == 0x0D }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { bytes = Array("x".utf8) }
            lines.append(String(decoding: bytes, as: UTF8.self))
        }
        func pick(_ values: [String]) -> String { values[Int.random(in: 0..<values.count, using: &rng)] }
        let before = try runCLI(["replay", "verify"], store: dir.path)
        let result = try apply(lines, store: dir.path, environment: Self.now)
        #expect(result.status == 0 || result.status == 1, "apply must not crash: \(result.status) \(result.stderr)")
        #expect(result.results.count == lines.count, "every line is answered")
        let beforeCount = Int(before.lines.first { $0.hasPrefix("events: ") }?.dropFirst(8) ?? "") ?? -1
        let appended = result.results.filter { $0["ok"] as? Bool == true }.reduce(0) {
            $0 + (($1["events"] as? [Any])?.count ?? 0)
        }
        let after = try runCLI(["replay", "verify"], store: dir.path)
        #expect(after.status == 0)
        let afterCount = Int(after.lines.first { $0.hasPrefix("events: ") }?.dropFirst(8) ?? "") ?? -2
        #expect(afterCount == beforeCount + appended, "only accepted lines append events")
        #expect(try runCLI(["replay", "rebuild", "--check"], store: dir.path).status == 0)
    }
}
