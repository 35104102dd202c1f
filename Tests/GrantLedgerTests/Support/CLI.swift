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

/// Runs `grantledger` (or `executable`, such as strace wrapping it) with `arguments`, feeding
/// `input` or raw `bytes` on standard input.
func runCLI(
    _ arguments: [String], store: String, input: String? = nil, bytes: [UInt8]? = nil,
    environment: [String: String] = [:], executable: String? = nil
) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try executable ?? grantledgerExecutable())
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["GRANTLEDGER_STORE"] = store
    env["GRANTLEDGER_PBKDF2_ITERATIONS"] = "100000"
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
    // A process that exits before reading its input (a refused setting, an unusable store) closes
    // the pipe: the write then fails with EPIPE instead of killing the test runner with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    if let input { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
    if let bytes { try? stdin.fileHandleForWriting.write(contentsOf: Data(bytes)) }
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
