// QuickStart: GrantLedger embedded in a Swift program, from an empty store to a printed
// 重要事项变更审批表 (approval form of a change request).
//
//     swift run QuickStart [STORE]
//
// STORE is a folder for the store (default: a new temporary folder). It must be new or empty:
// the first command of a store is `bootstrap`. Every command is one JSON object, exactly as the
// `grantledger apply` command line takes it (docs/cli.md), and every answer is one JSON line.
// Each command carries an explicit `at`, so the run is the same every time: a scenario, so the
// ledger is opened with trusted command time (R-LOG-4). A production host leaves that off, and the
// ledger stamps each command with its own clock.

import Foundation
import GrantLedger

// MARK: The store

let storePath = CommandLine.arguments.dropFirst().first ?? temporaryStorePath()
let ledger: Ledger
do {
    // The default options are production settings (durable commits, PBKDF2 with 210,000
    // iterations, the ledger's own clock); a scripted scenario trusts its commands' times.
    ledger = try Ledger(path: storePath, options: LedgerOptions(trustCommandTime: true))
} catch {
    fail("cannot open the store \(storePath): \(error.message)")
}
print("store: \(storePath)")

// MARK: 1. The organisation

// The national office (全国社科工作办) comes first: `bootstrap` is the one command without an actor.
heading("bootstrap the national office")
await run(
    #"""
    {"id": "qs-01", "type": "bootstrap", "at": "2026-03-02T09:00:00+08:00",
     "accountId": "N0", "username": "national", "password": "Nssf2026-office", "name": "全国哲学社会科学工作办公室"}
    """#)

heading("a province, its planning office, a unit and the unit's admin")
await run(
    #"""
    {"id": "qs-02", "type": "createProvince", "actor": "N0", "at": "2026-03-02T09:05:00+08:00",
     "provinceId": "P-BJ", "name": "北京市"}
    """#)
await run(
    #"""
    {"id": "qs-03", "type": "createAdminAccount", "actor": "N0", "at": "2026-03-02T09:10:00+08:00",
     "accountId": "PO-BJ", "role": "provincialOffice", "provinceId": "P-BJ",
     "username": "bjpopss", "password": "Beijing2026-office", "name": "北京市哲学社会科学规划办公室"}
    """#)
await run(
    #"""
    {"id": "qs-04", "type": "createUnit", "actor": "N0", "at": "2026-03-02T09:15:00+08:00",
     "unitId": "U-PKU", "name": "北京大学", "provinceId": "P-BJ"}
    """#)
// A provincial office creates the admins of its own units.
await run(
    #"""
    {"id": "qs-05", "type": "createAdminAccount", "actor": "PO-BJ", "at": "2026-03-02T09:20:00+08:00",
     "accountId": "UA-PKU", "role": "unitAdmin", "unitId": "U-PKU",
     "username": "pku-skb", "password": "Pku2026-office", "name": "北京大学社会科学部"}
    """#)

// MARK: 2. A project and its leader

// Projects arrive already approved (立项). Amounts are integers in fen: 200,000 yuan in all.
heading("register the project")
await run(
    #"""
    {"id": "qs-06", "type": "registerProject", "actor": "N0", "at": "2026-03-02T09:30:00+08:00",
     "projectNo": "24BZX001", "title": "中国哲学史料学研究", "category": "general", "discipline": "哲学",
     "unitId": "U-PKU", "leader": {"name": "张明", "idType": "residentId", "idNumber": "110108198503150026"},
     "members": [], "approvedOn": "2024-06-15", "plannedEndDate": "2026-12-31", "deliverableForm": "monograph",
     "budget": {"direct": {"equipment": 2000000, "business": 10000000, "labor": 3000000},
                "indirect": 5000000, "external": []}}
    """#)

// The leader registers (no actor), the unit approves the account, the leader completes the
// profile. The account sees the project because its ID number is the project leader's (R-PRJ-2).
heading("the leader's account")
await run(
    #"""
    {"id": "qs-07", "type": "registerAccount", "at": "2026-03-03T10:00:00+08:00",
     "accountId": "L-ZHANG", "role": "leader", "username": "13800138000", "email": "zhangming@pku.edu.cn",
     "name": "张明", "idType": "residentId", "idNumber": "110108198503150026", "unitId": "U-PKU",
     "password": "Zhang2026-pass", "agreedToTerms": true}
    """#)
await run(
    #"""
    {"id": "qs-08", "type": "reviewRegistration", "actor": "UA-PKU", "at": "2026-03-03T14:00:00+08:00",
     "accountId": "L-ZHANG", "decision": "approve"}
    """#)
await run(
    #"""
    {"id": "qs-09", "type": "completeProfile", "actor": "L-ZHANG", "at": "2026-03-03T15:00:00+08:00",
     "profile": {"gender": "男", "birthDate": "1985-03-15", "title": "副教授", "degree": "博士",
                 "researchArea": "中国哲学"}}
    """#)

// MARK: 3. A change request through every level

// An extension (延期) of half a year: drafted and submitted by the leader, then approved by the
// unit, the province and the national office. It takes effect on national approval (R-CHG-6).
heading("an extension request, unit → province → national")
await run(
    #"""
    {"id": "qs-10", "type": "draftChangeRequest", "actor": "L-ZHANG", "at": "2026-03-10T09:00:00+08:00",
     "requestId": "CR-1", "projectNo": "24BZX001", "kind": "extension",
     "details": {"newEndDate": "2027-06-30",
                 "progress": "已完成史料辑录与前三章初稿，约二十万字。",
                 "plan": "2026年底前完成第四、五章，2027年上半年统稿、修订并提交结项。"},
     "reason": "新发现的一批地方文献需要整理校勘，原定完成时间不足。"}
    """#)
await run(
    #"""
    {"id": "qs-11", "type": "submitChangeRequest", "actor": "L-ZHANG", "at": "2026-03-10T09:30:00+08:00",
     "requestId": "CR-1"}
    """#)
await run(
    #"""
    {"id": "qs-12", "type": "reviewChangeRequest", "actor": "UA-PKU", "at": "2026-03-12T10:00:00+08:00",
     "requestId": "CR-1", "decision": "approve", "opinion": "情况属实，同意延期，请省社科规划办审核。"}
    """#)
await run(
    #"""
    {"id": "qs-13", "type": "reviewChangeRequest", "actor": "PO-BJ", "at": "2026-03-18T15:00:00+08:00",
     "requestId": "CR-1", "decision": "approve", "opinion": "同意，报全国社科工作办审批。"}
    """#)
let approval = await run(
    #"""
    {"id": "qs-14", "type": "reviewChangeRequest", "actor": "N0", "at": "2026-03-25T11:00:00+08:00",
     "requestId": "CR-1", "decision": "approve", "opinion": "同意延期至2027年6月30日。"}
    """#)
print("events of the final approval: \(approval.events.joined(separator: ", "))")

// MARK: 4. Reading it back

do {
    // Queries answer as a viewer: the leader sees its own project, with the new end date.
    heading("the project, as its leader sees it")
    print(try ledger.project("24BZX001", as: .account("L-ZHANG")).serialized(pretty: true))

    // The approval form: one self-contained HTML page with an A4 print stylesheet, written next to
    // the store. Open it in a browser and print it.
    heading("the approval form")
    let html = try ledger.approvalForm("CR-1", as: .account("L-ZHANG")).html()
    let formPath = URL(fileURLWithPath: storePath).deletingLastPathComponent()
        .appendingPathComponent("approval-form-CR-1.html").path
    try html.write(toFile: formPath, atomically: true, encoding: .utf8)
    print("approval form written to \(formPath)")
} catch let error as LedgerError {
    fail(error.message)
} catch {
    fail("\(error)")
}
ledger.close()

// MARK: Helpers

/// Executes one command line, prints its answer line, and stops the program when it is rejected.
@discardableResult
func run(_ command: String) async -> CommandOutcome {
    let outcome = await ledger.execute(line: command)
    print(outcome.jsonLine)
    if !outcome.isAccepted {
        ledger.close()
        fail("the command was rejected; QuickStart needs a new, empty store")
    }
    return outcome
}

/// Prints a section heading.
func heading(_ title: String) {
    print("\n== \(title)")
}

/// A store folder inside a new temporary folder, so that the form can be written next to it.
func temporaryStorePath() -> String {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("grantledger-quickstart-\(UUID().uuidString)")
    return folder.appendingPathComponent("grants.store").path
}

/// Prints `message` on standard error and exits with status 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("QuickStart: \(message)\n".utf8))
    exit(1)
}
