import Foundation
import Synchronization

/// A `grantledger` process driven through pipes while it runs: lines reach it as they are sent
/// (for races between processes), and a co-process client can wait for each answer before it
/// writes the next line.
final class CoProcess {
    private struct Output {
        var buffer: [UInt8] = []
        var ended = false
    }

    /// What the reading thread shares with the test.
    private final class Shared: Sendable {
        let output = Mutex(Output())
        let arrived = DispatchSemaphore(value: 0)
    }

    private let process: Process
    private let input: FileHandle
    private let shared = Shared()

    /// Starts `grantledger arguments` on `store` with the test environment (see ``runCLI``).
    init(_ arguments: [String], store: String, environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try grantledgerExecutable())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["GRANTLEDGER_STORE"] = store
        env["GRANTLEDGER_PBKDF2_ITERATIONS"] = "100000"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        input = stdin.fileHandleForWriting
        try process.run()
        let reading = stdout.fileHandleForReading
        Thread.detachNewThread { [shared] in
            while true {
                let data = reading.availableData
                shared.output.withLock {
                    if data.isEmpty { $0.ended = true } else { $0.buffer.append(contentsOf: data) }
                }
                shared.arrived.signal()
                if data.isEmpty { return }
            }
        }
    }

    /// Writes one line (a newline is added).
    func send(_ line: String) {
        try? input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next complete output line, or nil when none arrives within `timeout` seconds.
    func nextLine(timeout: Double) -> String? {
        let deadline = DispatchTime.now() + timeout
        while true {
            let line: String? = shared.output.withLock { out in
                guard let newline = out.buffer.firstIndex(of: 0x0A) else { return nil }
                let text = String(decoding: out.buffer[..<newline], as: UTF8.self)
                out.buffer.removeSubrange(...newline)
                return text
            }
            if let line { return line }
            if shared.output.withLock({ $0.ended }) { return nil }
            if shared.arrived.wait(timeout: deadline) == .timedOut { return nil }
        }
    }

    /// Closes standard input, waits for the process to end, and returns its exit status and the
    /// output not yet taken by ``nextLine(timeout:)``.
    func finish() -> CLIResult {
        try? input.close()
        while !shared.output.withLock({ $0.ended }) { shared.arrived.wait() }
        process.waitUntilExit()
        let rest = shared.output.withLock { String(decoding: $0.buffer, as: UTF8.self) }
        return CLIResult(status: process.terminationStatus, stdout: rest, stderr: "")
    }
}
