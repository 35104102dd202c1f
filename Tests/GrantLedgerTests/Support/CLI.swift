import Foundation
import Testing

/// Finds the `grantledger` executable built next to the test bundle.
func grantledgerExecutable() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["GRANTLEDGER_EXECUTABLE"] { return explicit }
    var folders: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        folders.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    if let bundle = Bundle.main.executableURL { folders.append(bundle.deletingLastPathComponent()) }
    for folder in folders {
        var candidate = folder
        for _ in 0..<4 {
            let path = candidate.appendingPathComponent("grantledger").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
            candidate = candidate.deletingLastPathComponent()
        }
    }
    Issue.record("grantledger not found near \(folders.map(\.path)); run `swift build` first")
    throw ExecutableMissing()
}

struct ExecutableMissing: Error {}

/// What a finished `grantledger` run printed.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String

    var lines: [String] { stdout.split(whereSeparator: \.isNewline).map(String.init) }

    /// The result lines of `apply` as JSON objects.
    var results: [[String: Any]] {
        lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The JSON document printed by a `--format json` query.
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
}

/// Runs `grantledger` with `arguments`, feeding `input` on standard input.
func runCLI(
    _ arguments: [String], store: String, input: String? = nil, environment: [String: String] = [:]
) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try grantledgerExecutable())
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["GRANTLEDGER_STORE"] = store
    env["GRANTLEDGER_PBKDF2_ITERATIONS"] = "1000"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var out = Data()
    nonisolated(unsafe) var err = Data()
    group.enter()
    Thread.detachNewThread {
        out = stdout.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    group.enter()
    Thread.detachNewThread {
        err = stderr.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try? stdin.fileHandleForWriting.close()
    process.waitUntilExit()
    group.wait()
    return CLIResult(
        status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
        stderr: String(decoding: err, as: UTF8.self))
}

/// Runs `grantledger apply -` on these lines.
/// Runs `apply` on the lines; scenario lines carry their own `at`, so trusted command time is on
/// unless `trustCommandTime` is false (R-LOG-4).
func apply(
    _ lines: [String], store: String, environment: [String: String] = [:], trustCommandTime: Bool = true
) throws -> CLIResult {
    try runCLI(
        ["apply", "-"] + (trustCommandTime ? ["--trust-command-time"] : []), store: store,
        input: lines.joined(separator: "\n") + "\n", environment: environment)
}

/// `grantledger apply -` fed line by line while it runs (for races between processes): the lines
/// reach the process as they are sent, not all at once.
final class StreamingApply: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let done = DispatchGroup()
    // Written by the reader thread before `done` is left, read after waiting on it.
    private var out = Data()

    init(store: String, environment: [String: String] = [:], trustCommandTime: Bool = true) throws {
        process.executableURL = URL(fileURLWithPath: try grantledgerExecutable())
        process.arguments = ["apply", "-"] + (trustCommandTime ? ["--trust-command-time"] : [])
        var env = ProcessInfo.processInfo.environment
        env["GRANTLEDGER_STORE"] = store
        env["GRANTLEDGER_PBKDF2_ITERATIONS"] = "1000"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        done.enter()
        Thread.detachNewThread { [self] in
            out = output.fileHandleForReading.readDataToEndOfFile()
            done.leave()
        }
    }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Closes the input and waits for the process.
    func finish() -> CLIResult {
        try? input.fileHandleForWriting.close()
        done.wait()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: "")
    }
}
