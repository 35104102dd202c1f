import GrantLedger
import GrantWorkflow
import Testing

/// The README's embedding snippet, verbatim apart from the store path and the checks: it must
/// compile and run.
@Test("the README's embedding example runs")
func readmeSnippet() async throws {
    let dir = TemporaryDirectory()
    let ledger = try Ledger(path: dir.child("grants.store"))  // created when missing; no replay at open
    defer { ledger.close() }

    // Each command is a value; the ledger stamps it with its own clock and answers once it is durable.
    let commands = [
        CommandEnvelope(
            id: "boot-1",
            command: .bootstrap(accountId: "N0", username: "national", password: "Secret123", name: "全国社科工作办")),
        CommandEnvelope(id: "prov-1", actor: "N0", command: .createProvince(provinceId: "P1", name: "北京市")),
        CommandEnvelope(id: "unit-1", actor: "N0", command: .createUnit(unitId: "U1", name: "北京大学", provinceId: "P1")),
        CommandEnvelope(id: "unit-2", actor: "N0", command: .createUnit(unitId: "U1", name: "清华大学", provinceId: "P1")),
    ]
    var outcomes: [CommandOutcome] = []
    for command in commands {
        let outcome = await ledger.execute(command)
        if let error = outcome.error {  // a LedgerError: code, rule (R-…), message, field
            print("rejected:", error.code, error.rule ?? "-", error.message)
        } else {
            print("accepted at", outcome.position, outcome.events)  // e.g. accepted at 2 ["ProvinceCreated"]
        }
        outcomes.append(outcome)
    }
    // A retry with the same id (a lost answer, say) is answered from the record: nothing runs twice.
    let retry = await ledger.execute(commands[1])
    print(retry.deduplicated, retry.position)  // true 2

    // Queries take the viewer explicitly: `.everything` is the operator's view.
    let units = try ledger.projects(as: .account("N0"))
    print(units.serialized(pretty: true))

    #expect(outcomes.prefix(3).allSatisfy { $0.isAccepted })
    #expect(outcomes[1].events == ["ProvinceCreated"] && outcomes[1].position == 2)
    #expect(outcomes[3].error?.code.rawValue == "duplicateId")
    #expect(retry.deduplicated && retry.position == 2)
    #expect(units == .array([]))
}

/// The JSON-line entry point the README mentions second.
@Test("the README's JSON-line entry point answers the CLI's result line")
func readmeLineEntryPoint() async throws {
    let dir = TemporaryDirectory()
    let ledger = try Ledger(path: dir.child("grants.store"))
    defer { ledger.close() }
    let outcome = await ledger.execute(
        line: #"{"type":"bootstrap","accountId":"N0","username":"national","password":"Secret123","name":"全国社科工作办"}"#)
    #expect(outcome.jsonLine.hasPrefix(#"{"id":null,"ok":true,"position":1"#))
}
