import Foundation
import Testing

/// `grantledger outbox deliver` through the built binary (docs/cli.md "outbox (rev. 2)").
@Suite("Outbox: grantledger outbox deliver (R-NTF-1, R-ACC-7)")
struct OutboxDeliverCLITests {
    static let now = ["GRANTLEDGER_NOW": "2026-03-01T09:00:00+08:00"]

    /// A store with the organisation, leader L1 and one password reset of L1 in its outbox.
    static func store(_ dir: TemporaryDirectory) throws -> String {
        let store = dir.child("grants.store")
        let lines =
            Scenario.organisation + Scenario.account("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1")
            + [line("requestPasswordReset", ["role": "leader", "username": "13800000001"])]
        let result = try apply(lines, store: store, environment: now)
        #expect(result.status == 0, "\(result.stderr)")
        return store
    }

    static func jsonLines(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    static func outbox(_ store: String, _ flags: [String] = []) throws -> [[String: Any]] {
        let result = try runCLI(["query", "outbox", "--format", "json"] + flags, store: store, environment: now)
        #expect(result.status == 0, "\(result.stderr)")
        return result.json as? [[String: Any]] ?? []
    }

    static func summary(_ result: CLIResult) -> [String: Int] {
        (result.lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Int]) ?? [:]
    }

    @Test("R-NTF-1 --jsonl appends each due notification once, with its token; the store keeps none (R-ACC-7)")
    func deliverToJSONLines() throws {
        let dir = TemporaryDirectory()
        let store = try Self.store(dir)
        let queued = try Self.outbox(store)
        let file = dir.child("deliveries.jsonl")

        let first = try runCLI(["outbox", "deliver", "--jsonl", file, "--once"], store: store, environment: Self.now)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.summary(first) == ["delivered": queued.count, "failed": 0, "deadLettered": 0])
        let lines = Self.jsonLines(file)
        #expect(lines.compactMap { $0["id"] as? String } == queued.compactMap { $0["id"] as? String })
        let tokens = lines.filter { $0["template"] as? String == "passwordReset" }
            .compactMap { ($0["params"] as? [String: Any])?["token"] as? String }
        #expect(tokens.count == 2 && Set(tokens).count == 1, "the sms and the e-mail carry the one token")
        let token = try #require(tokens.first)
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)

        let after = try runCLI(["query", "outbox", "--format", "json"], store: store, environment: Self.now)
        #expect(!after.stdout.contains(token), "no query shows the token")
        #expect(try Self.outbox(store, ["--undelivered"]).isEmpty)
        // Nothing is delivered twice; the token is gone from the store itself (the demo's reader finds none).
        let again = try runCLI(["outbox", "deliver", "--jsonl", file], store: store, environment: Self.now)
        #expect(again.status == 0)
        #expect(Self.summary(again)["delivered"] == 0)
        #expect(Self.jsonLines(file).count == lines.count)
        let reset = try apply(
            [line("resetPassword", ["token": token, "newPassword": "NewSecret123"])], store: store,
            environment: Self.now)
        #expect(reset.status == 0, "the delivered token still works once: \(reset.stdout)")
    }

    @Test("a failed append is cut off: on a full disk the file stays one JSON object per line; it is made private")
    func fullDiskKeepsWholeLines() throws {
        let dir = TemporaryDirectory()
        let store = try Self.store(dir)
        let queued = try Self.outbox(store).compactMap { $0["id"] as? String }
        let mountPoint = dir.child("full")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard try exitStatus(of: "/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", mountPoint]) == 0
        else {
            try Test.cancel("skipped: cannot mount a tmpfs here (needs root)")
        }
        defer { _ = try? exitStatus(of: "/usr/bin/env", ["umount", mountPoint]) }
        // One page of room, most of it taken by an earlier line: one delivery fits, the next is cut
        // by "No space left on device".
        let file = mountPoint + "/deliveries.jsonl"
        let earlier = Data(("{\"earlier\":\"" + String(repeating: "x", count: 3_700) + "\"}\n").utf8)
        FileManager.default.createFile(atPath: file, contents: earlier, attributes: [.posixPermissions: 0o644])
        let first = try runCLI(["outbox", "deliver", "--jsonl", file, "--once"], store: store, environment: Self.now)
        #expect(first.status == 1, "\(first.stderr)")
        let delivered = Self.summary(first)["delivered"] ?? -1
        #expect(delivered > 0 && delivered < queued.count, "\(first.stdout)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasSuffix("\n") && Self.jsonLines(file).count == delivered + 1, "\(text)")
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        // With room again, after the retry delay: every notification once, each line whole.
        #expect(try exitStatus(of: "/usr/bin/env", ["mount", "-o", "remount,size=1m", mountPoint]) == 0)
        let later = ["GRANTLEDGER_NOW": "2026-03-01T10:00:00+08:00"]
        let second = try runCLI(["outbox", "deliver", "--jsonl", file, "--once"], store: store, environment: later)
        #expect(second.status == 0, "\(second.stderr)")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == Self.jsonLines(file).count)
        #expect(Self.jsonLines(file).compactMap { $0["id"] as? String }.sorted() == queued.sorted())
        #expect(Self.jsonLines(file).first?["earlier"] != nil)
    }

    @Test("R-NTF-1 --exec writes each notification to the command's stdin; exit 0 means delivered")
    func deliverToCommand() throws {
        let dir = TemporaryDirectory()
        let store = try Self.store(dir)
        let queued = try Self.outbox(store)
        let file = dir.child("exec.jsonl")
        let result = try runCLI(
            ["outbox", "deliver", "--exec", "tee -a '\(file)'", "--once"], store: store, environment: Self.now)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.summary(result)["delivered"] == queued.count)
        #expect(result.lines.count == 1, "what the command prints goes to standard error, not into the summary")
        #expect(result.stderr.contains("passwordReset"))
        let lines = Self.jsonLines(file)
        #expect(lines.count == queued.count)
        #expect(lines.allSatisfy { $0["attempt"] as? Int == 1 })
        #expect(
            lines.contains { ($0["params"] as? [String: Any])?["token"] is String }, "the command receives the secret")
        #expect(try Self.outbox(store, ["--undelivered"]).isEmpty)
    }

    @Test(
        "R-NTF-1 a failing --exec command: the failure is retried later with backoff, exit 1; the others still go out")
    func failingCommand() throws {
        let dir = TemporaryDirectory()
        let store = try Self.store(dir)
        let queued = try Self.outbox(store)
        let file = dir.child("exec.jsonl")
        // Refuses the password resets (exit 3), delivers the rest.
        let command = """
            line=$(cat); case "$line" in *passwordReset*) exit 3;; esac; printf '%s\\n' "$line" >> '\(file)'
            """
        let result = try runCLI(["outbox", "deliver", "--exec", command], store: store, environment: Self.now)
        #expect(result.status == 1)
        #expect(Self.summary(result) == ["delivered": queued.count - 2, "failed": 2, "deadLettered": 0])
        #expect(Self.jsonLines(file).count == queued.count - 2)

        let waiting = try Self.outbox(store, ["--undelivered"])
        #expect(waiting.count == 2)
        #expect(waiting.allSatisfy { $0["template"] as? String == "passwordReset" && $0["attempts"] as? Int == 1 })
        #expect(waiting.allSatisfy { $0["nextAttemptAt"] as? String == "2026-03-01T09:00:30+08:00" })
        #expect(waiting.allSatisfy { ($0["lastError"] as? String)?.contains("status 3") == true })
        #expect(waiting.allSatisfy { ($0["params"] as? [String: Any])?["token"] == nil })
        #expect(try Self.outbox(store, ["--dead"]).isEmpty)

        // Not due yet at the same clock: nothing is tried.
        let early = try runCLI(["outbox", "deliver", "--exec", "exit 1"], store: store, environment: Self.now)
        #expect(early.status == 0)
        #expect(Self.summary(early) == ["delivered": 0, "failed": 0, "deadLettered": 0])
        // Due later: a command that works delivers them.
        let later = try runCLI(
            ["outbox", "deliver", "--exec", "cat >> '\(file)'", "--once"], store: store,
            environment: ["GRANTLEDGER_NOW": "2026-03-01T09:01:00+08:00"])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(Self.summary(later)["delivered"] == 2)
        #expect(try Self.outbox(store, ["--undelivered"]).isEmpty)
    }

    @Test(
        "R-NTF-1 after 10 failed attempts a notification is a dead letter: query outbox --dead lists it, none is tried again"
    )
    func deadLetters() throws {
        let dir = TemporaryDirectory()
        let store = try Self.store(dir)
        let queued = try Self.outbox(store).count
        var clock = try #require(ISO8601DateFormatter().date(from: "2026-03-01T01:00:00Z"))
        let formatter = ISO8601DateFormatter()
        for attempt in 1...10 {
            let run = try runCLI(
                ["outbox", "deliver", "--exec", "exit 1"], store: store,
                environment: ["GRANTLEDGER_NOW": formatter.string(from: clock)])
            #expect(run.status == 1)
            #expect(Self.summary(run)[attempt == 10 ? "deadLettered" : "failed"] == queued, "attempt \(attempt)")
            clock += 2 * 3600
        }
        let dead = try Self.outbox(store, ["--dead"])
        #expect(dead.count == queued)
        #expect(dead.allSatisfy { $0["dead"] as? Bool == true && $0["attempts"] as? Int == 10 })
        #expect(dead.allSatisfy { ($0["params"] as? [String: Any])?["token"] == nil })
        #expect(try Self.outbox(store, ["--undelivered"]).isEmpty)
        let table = try runCLI(["query", "outbox", "--dead"], store: store, environment: Self.now)
        #expect(table.stdout.contains("exited with status 1"), "the table shows the last error")
        let after = try runCLI(
            ["outbox", "deliver", "--exec", "exit 0"], store: store,
            environment: ["GRANTLEDGER_NOW": formatter.string(from: clock)])
        #expect(after.status == 0)
        #expect(Self.summary(after) == ["delivered": 0, "failed": 0, "deadLettered": 0])
    }

    @Test("R-NTF-1 --follow delivers notifications as other processes queue them, until SIGTERM")
    func follow() async throws {
        let dir = TemporaryDirectory()
        let store = try Self.store(dir)
        let initial = try Self.outbox(store).count
        let file = dir.child("follow.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try grantledgerExecutable())
        process.arguments = ["outbox", "deliver", "--jsonl", file, "--follow", "--store", store]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        func waitForLines(_ count: Int) async throws -> Bool {
            for _ in 0..<200 {
                if Self.jsonLines(file).count >= count { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        #expect(try await waitForLines(initial))
        // A command with events (a registration to review) and one without (a password reset).
        let more = try apply(
            [
                line(
                    "registerAccount",
                    [
                        "accountId": "E9", "role": "expert", "username": "13900000009", "email": "e9@example.cn",
                        "name": "某某", "idType": "passport", "idNumber": "P7654321", "unitId": "U2",
                        "password": password, "agreedToTerms": true,
                    ])
            ], store: store, environment: Self.now)
        #expect(more.status == 0, "\(more.stdout)")
        #expect(try await waitForLines(initial + 1))
        let reset = try apply(
            [line("requestPasswordReset", ["role": "leader", "username": "13800000001"])], store: store,
            environment: Self.now)
        #expect(reset.status == 0)
        #expect(try await waitForLines(initial + 3))

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let summary = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Int]
        #expect(summary?["delivered"] == initial + 3)
        #expect(Self.jsonLines(file).count == initial + 3)
    }
}
