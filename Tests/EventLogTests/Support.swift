import CLMDB
import Foundation
import Synchronization
import Testing

@testable import EventLog

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "eventlog-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Opens a store in a temporary folder, runs `body`, then closes and removes it.
func withStore<R>(
    _ options: EventStoreOptions = .init(), _ body: (EventStore, String) async throws -> R
) async throws -> R {
    let folder = TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path + "/store"
    let store = try EventStore(path: path, options: options)
    defer { store.close() }
    return try await body(store, path)
}

/// A small event whose payload names its index.
func sampleEvent(
    _ index: Int, type: String = "Happened", time: Int64 = 1_700_000_000_000, payloadSize: Int = 0
)
    -> NewEvent
{
    var payload = Array("event \(index)".utf8)
    if payloadSize > payload.count { payload += [UInt8](repeating: 0x78, count: payloadSize - payload.count) }
    return NewEvent(type: type, payload: payload, time: time)
}

/// Appends `count` single-event requests to `stream`, one after another; returns their positions.
@discardableResult
func appendMany(
    _ store: EventStore, _ count: Int, to stream: String = "stream", payloadSize: Int = 0
) async throws
    -> [UInt64]
{
    var positions: [UInt64] = []
    for index in 0..<count {
        let result = try await store.append([sampleEvent(index, payloadSize: payloadSize)], to: stream)
        positions.append(result.firstPosition)
    }
    return positions
}

/// Opens the store's LMDB environment directly (the store must be closed) and runs `body` in a write
/// transaction that is committed afterwards: for tampering with stored bytes.
func withRawStore(_ path: String, _ body: (OpaquePointer, _ events: MDB_dbi, _ streams: MDB_dbi) throws -> Void) throws
{
    var env: OpaquePointer?
    #expect(mdb_env_create(&env) == 0)
    defer { mdb_env_close(env) }
    #expect(mdb_env_set_maxdbs(env, 16) == 0)
    #expect(mdb_env_set_mapsize(env, 1 << 30) == 0)
    try #require(mdb_env_open(env, path, 0, 0o644) == 0)
    var txn: OpaquePointer?
    try #require(mdb_txn_begin(env, nil, 0, &txn) == 0)
    var events: MDB_dbi = 0
    var streams: MDB_dbi = 0
    try #require(mdb_dbi_open(txn, "events", 0, &events) == 0)
    try #require(mdb_dbi_open(txn, "streams", 0, &streams) == 0)
    do {
        try body(txn!, events, streams)
    } catch {
        mdb_txn_abort(txn)
        throw error
    }
    try #require(mdb_txn_commit(txn) == 0)
}

/// Big-endian position key bytes.
func positionKey(_ position: UInt64) -> [UInt8] {
    withUnsafeBytes(of: position.bigEndian) { Array($0) }
}

/// Finds the helper executable built next to the test bundle.
func helperExecutable() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["EVENTLOG_TEST_HELPER"] { return explicit }
    var folders: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        folders.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    if let bundle = Bundle.main.executableURL { folders.append(bundle.deletingLastPathComponent()) }
    folders.append(contentsOf: Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() })
    for folder in folders {
        var candidate = folder
        for _ in 0..<4 {
            let path = candidate.appendingPathComponent("eventlog-test-helper").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
            candidate = candidate.deletingLastPathComponent()
        }
    }
    Issue.record("eventlog-test-helper not found near \(folders.map(\.path)); run `swift build` first")
    throw HelperMissing()
}

struct HelperMissing: Error {}

/// A running helper process whose standard output is collected on its own thread.
final class HelperProcess: Sendable {
    let process = Process()
    private let output = Pipe()
    private let collected = Mutex(Data())
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the helper; `onLine` sees each complete line as it arrives (on the reading thread).
    init(
        _ arguments: [String], environment: [String: String] = [:],
        onLine: (@Sendable (String, HelperProcess) -> Void)? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: try helperExecutable())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        try process.run()
        let handle = output.fileHandleForReading
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected.withLock { $0.append(chunk) }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    onLine?(line, self)
                }
            }
            finished.signal()
        }
    }

    /// Complete lines printed so far (a torn last line is left out).
    var lines: [String] {
        let text = collected.withLock { String(decoding: $0, as: UTF8.self) }
        var lines = text.components(separatedBy: "\n")
        lines.removeLast()
        return lines
    }

    /// Waits (off the cooperative pool) for the process to exit; returns its termination status.
    func wait() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [self] in
                finished.wait()
                process.waitUntilExit()
                continuation.resume()
            }
        }
        return process.terminationStatus
    }
}

struct ExpectedFailure: Error, Equatable {}
