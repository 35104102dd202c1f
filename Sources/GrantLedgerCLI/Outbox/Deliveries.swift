internal import GrantLedger
internal import GrantWorkflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a delivery of `outbox deliver` failed: kept as the notification's `lastError`.
struct DeliveryFailure: Error, CustomStringConvertible {
    /// What failed, with the system's reason when there is one.
    let description: String

    init(_ what: String, errno code: Int32? = nil) {
        description = code.map { "\(what): \(String(cString: strerror($0)))" } ?? what
    }
}

/// `--jsonl FILE`: appends one JSON line per notification to a file and syncs it, so a delivery the
/// store records is on disk first. The file holds reset tokens: it is created with mode 0600, and an
/// existing one is set to 0600. An append that fails part-way (a full disk) is cut off again, so the
/// file stays one whole JSON object per line for the retry to append to.
final class JSONLinesDelivery: NotificationDelivery {
    /// The open file (`O_APPEND`).
    let descriptor: Int32

    /// Opens (creates) the file for appending, and syncs its folder so that a new file survives a crash.
    init(path: String) throws(DeliveryFailure) {
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DeliveryFailure("cannot open \(path)", errno: errno) }
        // An existing file keeps none of a wider mode: reset tokens are about to go into it.
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & 0o077 != 0, (status.st_mode & S_IFMT) == S_IFREG {
            guard fchmod(descriptor, 0o600) == 0 else {
                let code = errno
                close(descriptor)
                throw DeliveryFailure("cannot make \(path) private (mode 0600)", errno: code)
            }
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    deinit { close(descriptor) }

    func deliver(_ notification: OutboxNotification) async throws {
        let bytes = Array((notification.deliveryJSON.serialized() + "\n").utf8)
        let end = lseek(descriptor, 0, SEEK_END)
        do throws(DeliveryFailure) {
            try Self.writeAll(descriptor, bytes, what: "append \(notification.id)")
            guard fsync(descriptor) == 0 else { throw DeliveryFailure("cannot sync the file", errno: errno) }
        } catch {
            // Whatever part of the line got there is cut off: the next append starts a line.
            if end >= 0 { _ = ftruncate(descriptor, end) }
            throw error
        }
    }

    /// Writes every byte, retrying after interruptions.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], what: String) throws(DeliveryFailure) {
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw DeliveryFailure("cannot \(what)", errno: errno)
            }
            written += result
        }
    }
}

/// `--exec CMD`: runs `/bin/sh -c CMD` once per notification with its JSON line on standard input;
/// exit status 0 means delivered. Its standard output and standard error go to this process's
/// standard error.
struct ShellCommandDelivery: NotificationDelivery {
    /// The shell command.
    let command: String

    func deliver(_ notification: OutboxNotification) async throws {
        let line = Array((notification.deliveryJSON.serialized() + "\n").utf8)
        let status = try run(input: line)
        guard status == 0 else {
            throw DeliveryFailure(
                status > 0 ? "the command exited with status \(status)" : "the command was killed by signal \(-status)")
        }
    }

    /// Runs the command, feeds it `input`, and waits: its exit status, or minus the signal that ended it.
    private func run(input: [UInt8]) throws(DeliveryFailure) -> Int32 {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { throw DeliveryFailure("cannot create a pipe", errno: errno) }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        // Neither end leaks into the command: its standard input is a duplicate of the read end,
        // and a write end left open in it would keep it from ever reading the end of its input.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
        // What the command prints goes to standard error: standard output carries only the summary.
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        let arguments = ["/bin/sh", "-c", command].map { $0.withCString { strdup($0) } }
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, arguments + [nil], environ)
        close(readEnd)
        guard spawned == 0 else {
            close(writeEnd)
            throw DeliveryFailure("cannot run /bin/sh", errno: spawned)
        }
        // A command that does not read its input closes the pipe early (EPIPE): its exit status decides.
        try? JSONLinesDelivery.writeAll(writeEnd, input, what: "write to the command")
        close(writeEnd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw DeliveryFailure("cannot wait for the command", errno: errno) }
        }
        let signalled = status & 0x7f
        return signalled == 0 ? (status >> 8) & 0xff : -signalled
    }
}
