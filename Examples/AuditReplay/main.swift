// AuditReplay: what an auditor runs against a copy of a store.
//
//     swift run AuditReplay STORE [PROJECT_NO [DATE]]
//
// 1. Verifies the whole hash-chained log: every digest link, position and stream version, and that
//    every event decodes (R-LOG-2). Prints the event count, the head position and the head digest
//    (to be written down or notarised), then OK, or FAILED with the first bad position (exit 1).
// 2. Prints PROJECT_NO's history: every event touching the project, oldest first.
// 3. Prints the project as it stood on DATE (end of that day, China Standard Time), replayed from
//    its events (R-PRJ-4). DATE may also be an ISO 8601 time or a log position.
//
// Without arguments it verifies a new, empty temporary store.

import Foundation
import GrantLedger
import GrantWorkflow

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.count > 3 || arguments.first?.hasPrefix("-") == true {
    fail("usage: AuditReplay STORE [PROJECT_NO [DATE]]", status: 2)
}
let storePath: String
if let given = arguments.first {
    // An auditor's tool must not create a store where none was.
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: given, isDirectory: &isFolder), isFolder.boolValue else {
        fail("no store at \(given)", status: 2)
    }
    storePath = given
} else {
    let temporary = FileManager.default.temporaryDirectory
    storePath = temporary.appendingPathComponent("grantledger-audit-\(UUID().uuidString)/audit.store").path
}
let projectNo = arguments.count > 1 ? arguments[1] : nil
var moment: AsOf?
if arguments.count > 2 {
    guard let parsed = AsOf(arguments[2]) else {
        fail("DATE must be YYYY-MM-DD, an ISO 8601 time or a log position, not '\(arguments[2])'", status: 2)
    }
    moment = parsed
}

let ledger: Ledger
do {
    ledger = try Ledger(path: storePath)
} catch {
    fail("cannot open the store \(storePath): \(error.message)", status: 2)
}

do throws(LedgerError) {
    // MARK: 1. Verify the log

    print("== verify \(storePath)")
    let report = try ledger.verify()
    print("events:      \(report.eventCount)")
    print("head:        \(report.headPosition)")
    print("head digest: \(report.headDigest.map { String(format: "%02x", $0) }.joined())")
    if let bad = report.firstBadPosition {
        print("result:      FAILED at position \(bad): \(report.reason ?? "")")
        ledger.close()
        exit(1)
    }
    print("result:      OK")

    if let projectNo {
        // MARK: 2. The project's history

        print("\n== history of \(projectNo)")
        guard case .array(let rows) = try ledger.history(projectNo, as: .everything) else {
            fail("unexpected history shape")
        }
        for row in rows {
            let columns = ["position", "at", "type", "actor", "summary"].map { text(row[member: $0]) }
            let cells = [pad(columns[0], 5), columns[1], pad(columns[2], 26), pad(columns[3], 8), columns[4]]
            print(cells.joined(separator: "  ").replacing(/\s+$/, with: ""))
        }

        // MARK: 3. The project as it stood then

        if let moment, let given = arguments.last {
            print("\n== \(projectNo) as of \(given)")
            print(try ledger.project(projectNo, as: .everything, asOf: moment).serialized(pretty: true))
        } else {
            print("\n== \(projectNo) now")
            print(try ledger.project(projectNo, as: .everything).serialized(pretty: true))
        }
    }
} catch {
    ledger.close()
    fail("\(error.code): \(error.message)")
}
ledger.close()

// MARK: Helpers

/// A JSON scalar as plain text (`-` for null or absent).
func text(_ value: JSONValue?) -> String {
    switch value {
    case .string(let string)?: return string
    case .number(let number)?: return number
    case .bool(let bool)?: return bool ? "true" : "false"
    case .null?, nil: return "-"
    case let other?: return other.serialized()
    }
}

/// `text` padded with spaces to `width` characters.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// Prints `message` on standard error and exits with `status`.
func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("AuditReplay: \(message)\n".utf8))
    exit(status)
}
