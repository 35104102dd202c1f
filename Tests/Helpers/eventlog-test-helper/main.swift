// A second process for EventLog's multi-process tests. Usage:
//   eventlog-test-helper race <store> <count> <name>    shared-stream appends (.any) and contested-stream
//                                                         appends (exact versions); prints "wins=W conflicts=C"
//   eventlog-test-helper append <store> <count> <stream> appends one event at a time, printing each position
//   eventlog-test-helper hold-reader <store>             prints "reading" inside a read transaction, then
//                                                         sleeps until killed (leaves a stale reader slot)
//   eventlog-test-helper append-forever <store>          appends until killed, printing each acknowledged
//                                                         position (flushed) only after its durable commit
// EVENTLOG_TEST_INDEX_INTERVAL sets EventStoreOptions.streamIndexInterval.
import EventLog

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String) -> Never {
    var line = "eventlog-test-helper: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

func event(_ type: String, _ text: String) -> NewEvent {
    NewEvent(type: type, payload: Array(text.utf8), time: 1_700_000_000_000)
}

func say(_ line: String) {
    print(line)
    fflush(nil)
}

func race(_ store: EventStore, count: Int, name: String) throws {
    var wins = 0
    var conflicts = 0
    for index in 0..<count {
        _ = try store.appendSync(AppendRequest(stream: "shared", events: [event("Shared", "\(name) \(index)")]))
        let version = try store.streamVersion("contested")
        let expected: ExpectedVersion = version.map { .exact($0) } ?? .noStream
        let request = AppendRequest(stream: "contested", expectedVersion: expected, events: [event("Won", name)])
        if try tryAppend(store, request) { wins += 1 } else { conflicts += 1 }
    }
    say("wins=\(wins) conflicts=\(conflicts)")
}

/// Appends; false on a version conflict.
func tryAppend(_ store: EventStore, _ request: AppendRequest) throws -> Bool {
    do {
        _ = try store.appendSync(request)
        return true
    } catch {
        guard error.code == .wrongExpectedVersion else { throw error }
        return false
    }
}

func append(_ store: EventStore, count: Int, stream: String) throws {
    for index in 0..<count {
        let result = try store.appendSync(AppendRequest(stream: stream, events: [event("Appended", "\(index)")]))
        say("\(result.firstPosition)")
    }
}

func holdReader(_ store: EventStore) throws {
    try store.read { _ in
        say("reading")
        sleep(600)
    }
}

func appendForever(_ store: EventStore) throws {
    let payload = String(repeating: "x", count: 400)
    var index = 0
    while true {
        let result = try store.appendSync(
            AppendRequest(stream: "kill-\(index % 7)", events: [event("Appended", payload)]))
        say("\(result.firstPosition)")
        index += 1
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: race|append|hold-reader|append-forever <store> …") }
var options = EventStoreOptions()
if let interval = getenv("EVENTLOG_TEST_INDEX_INTERVAL").flatMap({ Int(String(cString: $0)) }) {
    options.streamIndexInterval = interval
}
let store: EventStore
do {
    store = try EventStore(path: arguments[2], options: options)
} catch {
    fail("open: \(error)")
}
do {
    switch arguments[1] {
    case "race":
        guard arguments.count == 5, let count = Int(arguments[3]) else { fail("race <store> <count> <name>") }
        try race(store, count: count, name: arguments[4])
    case "append":
        guard arguments.count == 5, let count = Int(arguments[3]) else { fail("append <store> <count> <stream>") }
        try append(store, count: count, stream: arguments[4])
    case "hold-reader":
        try holdReader(store)
    case "append-forever":
        try appendForever(store)
    default:
        fail("unknown command \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
store.close()
