// A second process for EventLog's multi-process tests. Usage:
//   eventlog-test-helper race <store> <count> <name>    shared-stream appends (.any) and contested-stream
//                                                         appends (exact versions); prints "wins=W conflicts=C"
//   eventlog-test-helper append <store> <count> <stream> appends one event at a time, printing each position
//   eventlog-test-helper append-forever <store>          appends until killed, printing each acknowledged
//                                                         position (flushed) only after its durable commit
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

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: race|append|append-forever <store> …") }
let store: EventStore
do {
    var options = EventStoreOptions()
    if let interval = getenv("EVENTLOG_TEST_INDEX_INTERVAL").flatMap({ Int(String(cString: $0)) }) {
        options.streamIndexInterval = interval
    }
    store = try EventStore(path: arguments[2], options: options)
} catch {
    fail("open: \(error)")
}

do {
    switch arguments[1] {
    case "race":
        guard arguments.count == 5, let count = Int(arguments[3]) else { fail("race <store> <count> <name>") }
        let name = arguments[4]
        var wins = 0
        var conflicts = 0
        for index in 0..<count {
            _ = try store.appendSync(AppendRequest(stream: "shared", events: [event("Shared", "\(name) \(index)")]))
            let version = try store.streamVersion("contested")
            let expected: ExpectedVersion = version.map { .exact($0) } ?? .noStream
            do {
                _ = try store.appendSync(
                    AppendRequest(stream: "contested", expectedVersion: expected, events: [event("Won", name)]))
                wins += 1
            } catch  where error.code == .wrongExpectedVersion {
                conflicts += 1
            }
        }
        say("wins=\(wins) conflicts=\(conflicts)")
    case "append":
        guard arguments.count == 5, let count = Int(arguments[3]) else { fail("append <store> <count> <stream>") }
        for index in 0..<count {
            let result = try store.appendSync(
                AppendRequest(stream: arguments[4], events: [event("Appended", "\(index)")]))
            say("\(result.firstPosition)")
        }
    case "append-forever":
        var index = 0
        while true {
            let result = try store.appendSync(
                AppendRequest(
                    stream: "kill-\(index % 7)", events: [event("Appended", String(repeating: "x", count: 400))]))
            say("\(result.firstPosition)")
            index += 1
        }
    default:
        fail("unknown command \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
store.close()
