import CLMDB
import Foundation
import Testing

/// The command-line contract of docs/cli.md, through the built `grantledger` binary.
@Suite("CLI contract")
struct CLIContractTests {
    static let now = ["GRANTLEDGER_NOW": "2026-03-01T09:00:00+08:00"]

    @Test("apply answers every line in order, exit 0 when all are accepted")
    func applyAllAccepted() throws {
        let dir = TemporaryDirectory()
        let result = try apply(Scenario.organisation, store: dir.path, environment: Self.now)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.results.count == Scenario.organisation.count)
        #expect(result.results.allSatisfy { $0["ok"] as? Bool == true })
        let positions = result.results.compactMap { $0["position"] as? Int }
        #expect(positions == Array(1...positions.count))
    }

    @Test("a malformed line gets invalidInput naming the field, the next line runs, exit 1")
    func malformedLinesAnswered() throws {
        let dir = TemporaryDirectory()
        let lines = [
            Scenario.organisation[0],
            "{not json",
            #"{"type":"createProvince","actor":"N0","provinceId":"P9"}"#,
            #"{"type":"createProvince","actor":"N0","provinceId":7,"name":"x"}"#,
            #"{"type":"launchRocket","actor":"N0"}"#,
            String(decoding: [0xFF, 0xFE, 0x7B], as: UTF8.self),
            Scenario.organisation[1],
        ]
        let result = try apply(lines, store: dir.path, environment: Self.now)
        #expect(result.status == 1)
        let results = result.results
        #expect(results.count == lines.count)
        let codes = results.map { ($0["error"] as? [String: Any])?["code"] as? String ?? "ok" }
        #expect(
            codes == ["ok", "invalidInput", "invalidInput", "invalidInput", "unknownCommand", "invalidInput", "ok"])
        #expect((results[2]["error"] as? [String: Any])?["field"] as? String == "name")
        #expect((results[3]["error"] as? [String: Any])?["field"] as? String == "provinceId")
    }

    @Test("--stop-on-error stops at the first rejection; later lines do not run")
    func stopOnError() throws {
        let dir = TemporaryDirectory()
        let lines = [Scenario.organisation[0], Scenario.organisation[0], Scenario.organisation[1]]
        let result = try runCLI(
            ["apply", "-", "--stop-on-error"], store: dir.path, input: lines.joined(separator: "\n"),
            environment: Self.now)
        #expect(result.status == 1)
        #expect(result.results.count == 2)
        let verify = try runCLI(["replay", "verify"], store: dir.path)
        #expect(verify.stdout.contains("events: 1"))
    }

    @Test("exit 2 when the input cannot be read or the store cannot be opened")
    func unusableInputOrStore() throws {
        let dir = TemporaryDirectory()
        let missing = try runCLI(["apply", dir.child("no-such-file.jsonl")], store: dir.child("s"))
        #expect(missing.status == 2)
        let file = dir.child("plain-file")
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let badStore = try runCLI(["apply", "-"], store: file, input: Scenario.organisation[0])
        #expect(badStore.status == 2)
        let noStore = try runCLI(["query", "stats"], store: dir.child("nothing-here"))
        #expect(noStore.status == 2)
    }

    @Test("the same command id twice prints the first result again and appends nothing (R-LOG-3)")
    func idempotentThroughCLI() throws {
        let dir = TemporaryDirectory()
        let first = line(
            "bootstrap", ["accountId": "N0", "username": "national", "password": password, "name": "全国社科工作办"],
            id: "boot-1")
        let result = try apply([first, first], store: dir.path, environment: Self.now)
        #expect(result.status == 0)
        #expect(result.lines.count == 2)
        #expect(result.lines[1] == result.lines[0].dropLast() + #","replayed":true}"#)
        #expect(try runCLI(["replay", "verify"], store: dir.path).stdout.contains("events: 1"))
    }

    @Test("query formats: table with Chinese labels aligned, JSON, CSV; --as outside the view exits 1 forbidden")
    func queryFormatsAndScope() throws {
        let dir = TemporaryDirectory()
        let setup = try apply(
            Scenario.standard + Scenario.account("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1"),
            store: dir.path, environment: Self.now)
        #expect(setup.status == 0, "\(setup.stdout)")
        let table = try runCLI(["query", "projects", "--lang", "zh"], store: dir.path, environment: Self.now)
        #expect(table.status == 0)
        #expect(table.stdout.contains("在研"))
        #expect(table.stdout.contains("项目批准号"))
        let json = try runCLI(["query", "project", "24BZX001", "--format", "json"], store: dir.path)
        let project = try #require(json.json as? [String: Any])
        #expect(project["status"] as? String == "active")
        #expect((project["budget"] as? [String: Any])?["total"] as? Int == 600_000)
        let csv = try runCLI(["query", "projects", "--format", "csv"], store: dir.path)
        #expect(csv.stdout.hasPrefix(#""projectNo","title","status""#))
        #expect(csv.lines.count == 2)
        // The leader sees its project with its own ID number in full; another leader is refused.
        let own = try runCLI(["query", "project", "24BZX001", "--format", "json", "--as", "L1"], store: dir.path)
        let ownLeader = try #require((own.json as? [String: Any])?["leader"] as? [String: Any])
        #expect(ownLeader["idNumber"] as? String == IDs.leader)
        let other = try runCLI(["query", "project", "24BZX001", "--as", "L2"], store: dir.path)
        #expect(other.status == 1)
        #expect(other.stderr.contains("forbidden"))
        let expertView = try runCLI(["query", "projects", "--format", "json", "--as", "E1"], store: dir.path)
        #expect((expertView.json as? [Any])?.isEmpty == true)
    }

    @Test("what --help, CSV lists and tables show matches docs/cli.md (round 22's documentation audit)")
    func helpCSVAndTablesMatchTheReference() throws {
        let dir = TemporaryDirectory()
        let lines =
            Scenario.standard + [
                line("endProject", ["projectNo": "24BZX001", "outcome": "withdrawn", "reason": "逾期三年未结项"], by: "N0")
            ]
        #expect(try apply(lines, store: dir.path, environment: Self.now).status == 0)
        // --as-of only where there is a past: seven queries list it, the others neither list nor take it.
        for query in ["project", "projects", "change", "changes", "closeout", "adjustment", "stats"] {
            #expect(try runCLI(["query", query, "--help"], store: dir.path).stdout.contains("--as-of"), "\(query)")
        }
        for query in ["inbox", "account", "history", "outbox", "appraisal-material", "subject"] {
            #expect(!(try runCLI(["query", query, "--help"], store: dir.path).stdout.contains("--as-of")), "\(query)")
        }
        #expect(try runCLI(["query", "history", "24BZX001", "--as-of", "5"], store: dir.path).status == 64)
        #expect(!(try runCLI(["bench", "--help"], store: dir.path).stdout.contains("csv")))
        let demoHelp = try runCLI(["demo", "--help"], store: dir.path).stdout
        #expect(!demoHelp.contains("same head digest") && demoHelp.contains("digests differ"))
        // A list's CSV holds every field its JSON holds, the table's columns first.
        let projects = try runCLI(["query", "projects", "--format", "csv"], store: dir.path)
        #expect(projects.lines.first == #""projectNo","title","status","unitId","plannedEndDate","overdue","category""#)
        let outbox = try runCLI(["query", "outbox", "--format", "csv"], store: dir.path)
        let header = try #require(outbox.lines.first).split(separator: ",").map { $0.trimmingCharacters(in: ["\""]) }
        let json = try #require(
            try runCLI(["query", "outbox", "--format", "json"], store: dir.path).json as? [[String: Any]])
        #expect(Set(header) == Set(try #require(json.first).keys))
        for key in ["createdAt", "position", "deliveredAt", "dead", "deadAt", "lastError"] {
            #expect(header.contains(key))
        }
        // The office's ending of a project, labelled in both languages (R-PRJ-5 rev. 2).
        let zh = try runCLI(["query", "project", "24BZX001", "--lang", "zh"], store: dir.path).stdout
        #expect(zh.contains("管理办公室终止或撤项  撤项（N0，"), "\(zh)")
        #expect(zh.contains("）：逾期三年未结项"), "\(zh)")
        let en = try runCLI(["query", "project", "24BZX001"], store: dir.path).stdout
        #expect(en.contains("Ended by the office    Withdrawn by N0 at 2026-03-01T09:00:00+08:00: 逾期三年未结项"), "\(en)")
        for output in [zh, en] { #expect(!output.contains("{\"")) }
    }

    @Test("query change as a table: details and before/after labelled, people written out, never raw JSON")
    func changeTableLabels() throws {
        let dir = TemporaryDirectory()
        let newMember: [String: Any] = [
            "name": "周八", "idType": "residentId", "idNumber": IDs.otherLeader, "unit": "北京大学", "title": "讲师",
            "role": "成员",
        ]
        let lines =
            Scenario.standard + [
                Scenario.change("CR-M", kind: "changeMembers", details: ["add": [newMember]]), Scenario.submit("CR-M"),
                Scenario.review("CR-M", by: "UA1"),
            ]
        #expect(try apply(lines, store: dir.path, environment: Self.now).status == 0)
        let zh = try runCLI(["query", "change", "CR-M", "--lang", "zh"], store: dir.path)
        #expect(zh.status == 0)
        #expect(zh.stdout.contains("增加成员  周八（成员，讲师，北京大学，\(IDs.otherLeader)）"), "\(zh.stdout)")
        #expect(zh.stdout.contains("课题组成员  李四    李四、周八"), "\(zh.stdout)")
        let en = try runCLI(["query", "change", "CR-M"], store: dir.path)
        #expect(en.stdout.contains("Members added    周八 (成员, 讲师, 北京大学, \(IDs.otherLeader))"), "\(en.stdout)")
        #expect(en.stdout.contains("Members  "), "\(en.stdout)")
        for output in [zh.stdout, en.stdout] { #expect(!output.contains("{\"")) }
    }

    @Test("replay verify prints count, head position and digest; a tampered record fails at its position")
    func verifyAndTamper() throws {
        let dir = TemporaryDirectory()
        #expect(try apply(Scenario.standard, store: dir.path, environment: Self.now).status == 0)
        let good = try runCLI(["replay", "verify"], store: dir.path)
        #expect(good.status == 0)
        #expect(good.stdout.contains("events: "))
        #expect(good.stdout.contains("head digest: "))
        try tamper(store: dir.path, position: 5)
        let bad = try runCLI(["replay", "verify"], store: dir.path)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("first bad position: 5"), "\(bad.stdout)")
    }

    @Test("replay rebuild --check matches after a workload; rebuild rewrites and still matches (R-LOG-5)")
    func rebuildCheck() throws {
        let dir = TemporaryDirectory()
        var lines = Scenario.standard
        lines += [Scenario.extensionRequest(), line("submitChangeRequest", ["requestId": "CR-1"], by: "L1")]
        lines += [
            Scenario.review("CR-1", by: "UA1"), Scenario.review("CR-1", by: "PO1"), Scenario.review("CR-1", by: "N0"),
        ]
        #expect(try apply(lines, store: dir.path, environment: Self.now).status == 0)
        let check = try runCLI(["replay", "rebuild", "--check"], store: dir.path)
        #expect(check.status == 0, "\(check.stdout)")
        let rebuild = try runCLI(["replay", "rebuild"], store: dir.path)
        #expect(rebuild.status == 0)
        #expect(try runCLI(["replay", "rebuild", "--check"], store: dir.path).status == 0)
        let state = try runCLI(["replay", "state", "24BZX001", "--as-of", "1"], store: dir.path)
        #expect(state.status == 1, "the project did not exist at position 1")
        let json = try runCLI(["query", "project", "24BZX001", "--format", "json"], store: dir.path)
        #expect((json.json as? [String: Any])?["plannedEndDate"] as? String == "2028-06-30")
    }

    @Test("form change-approval prints the 审批表 of an effective request and refuses a draft")
    func approvalForm() throws {
        let dir = TemporaryDirectory()
        var lines = Scenario.standard
        lines += [Scenario.extensionRequest(), line("submitChangeRequest", ["requestId": "CR-1"], by: "L1")]
        lines += [
            Scenario.review("CR-1", by: "UA1"), Scenario.review("CR-1", by: "PO1"), Scenario.review("CR-1", by: "N0"),
        ]
        lines.append(
            line(
                "draftChangeRequest",
                [
                    "requestId": "CR-2", "projectNo": "24BZX001", "kind": "changeTitle", "details": ["newTitle": "新"],
                    "reason": "更准确",
                ], by: "L1"))
        #expect(try apply(lines, store: dir.path, environment: Self.now).status == 0)
        let form = try runCLI(["form", "change-approval", "CR-1"], store: dir.path)
        #expect(form.status == 0)
        #expect(form.stdout.contains("重要事项变更审批表"))
        #expect(form.stdout.contains("@page"))
        #expect(form.stdout.contains("2028年6月30日"))
        let draft = try runCLI(["form", "change-approval", "CR-2"], store: dir.path)
        #expect(draft.status == 1)
        #expect(draft.stderr.contains("invalidState"))
        // A form that cannot be written whole (here a file-size limit; an outside audit used a full
        // disk) exits 2 and leaves no empty or partial file behind.
        let out = dir.child("form.html")
        let limited = try runCLI(
            [
                "-c", #"trap "" XFSZ; ulimit -f 1; exec "$0" "$@""#, try grantledgerExecutable(), "form",
                "change-approval",
                "CR-1", "--out", out,
            ],
            store: dir.path, executable: "/bin/sh")
        #expect(limited.status == 2, "\(limited.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try runCLI(["form", "change-approval", "CR-1", "--out", out], store: dir.path).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("重要事项变更审批表"))
    }
}

/// Flips one byte of the payload of the record at `position`, through LMDB directly.
func tamper(store: String, position: UInt64) throws {
    var env: OpaquePointer?
    #expect(mdb_env_create(&env) == 0)
    defer { mdb_env_close(env) }
    #expect(mdb_env_set_maxdbs(env, 16) == 0)
    #expect(mdb_env_set_mapsize(env, 64 << 30) == 0)
    #expect(mdb_env_open(env, store, 0, 0o644) == 0)
    var txn: OpaquePointer?
    #expect(mdb_txn_begin(env, nil, 0, &txn) == 0)
    var dbi: MDB_dbi = 0
    #expect(mdb_dbi_open(txn, "events", 0, &dbi) == 0)
    var keyBytes = withUnsafeBytes(of: position.bigEndian) { Array($0) }
    try keyBytes.withUnsafeMutableBytes { keyRaw in
        var key = MDB_val(mv_size: 8, mv_data: keyRaw.baseAddress)
        var data = MDB_val()
        #expect(mdb_get(txn, dbi, &key, &data) == 0)
        var bytes = Array(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))
        bytes[bytes.count - 40] ^= 0x01
        try bytes.withUnsafeMutableBytes { raw in
            var value = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
            let rc = mdb_put(txn, dbi, &key, &value, 0)
            if rc != 0 { throw TamperFailed() }
        }
    }
    #expect(mdb_txn_commit(txn) == 0)
}

struct TamperFailed: Error {}
