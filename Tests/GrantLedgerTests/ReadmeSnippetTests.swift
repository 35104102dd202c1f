import GrantLedger
import Testing

/// The README's embedding snippet, verbatim apart from the store path: it must compile and run.
@Test("the README's embedding example runs")
func readmeSnippet() async throws {
    let dir = TemporaryDirectory()
    let ledger = try Ledger(path: dir.child("grants.store"))  // created when missing; no replay at open
    defer { ledger.close() }

    let lines = [
        #"{"type":"bootstrap","accountId":"N0","username":"national","password":"Secret123","name":"全国社科工作办"}"#,
        #"{"type":"createProvince","actor":"N0","provinceId":"P1","name":"北京市"}"#,
        #"{"type":"createUnit","actor":"N0","unitId":"U1","name":"北京大学","provinceId":"P1"}"#,
    ]
    for line in lines {
        let outcome = await ledger.execute(line: line)  // answered after the commit is durable
        print(outcome.jsonLine)  // or outcome.error?.code, .rule, .message
        #expect(outcome.isAccepted)
    }
    print(try ledger.projects(as: .account("N0")).serialized(pretty: true))
}
