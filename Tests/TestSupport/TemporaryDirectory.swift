import Foundation

/// A temporary folder, removed when the value is dropped.
public final class TemporaryDirectory: Sendable {
    /// The folder's path.
    public let path: String

    /// Creates a new, empty folder under the system's temporary folder.
    public init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/grantledger-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    public func child(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `executable` with `arguments` to the end, its output discarded, and returns its exit status.
public func exitStatus(of executable: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
