internal import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to standard output and error with explicit flushing, without Foundation or C stdio.
enum Terminal {
    private static let buffer = Mutex<[UInt8]>([])
    /// The `errno` of the first failed write to standard output (a full disk, `/dev/full`, a closed
    /// descriptor), kept so that the process does not end with a status that says all was written.
    private static let outputFailure = Mutex<Int32?>(nil)

    /// Whether standard input was closed when the process started (``guardStandardDescriptors()``).
    nonisolated(unsafe) private(set) static var inputWasClosed = false

    /// Opens `/dev/null` on each of standard input, output and error that the process was started
    /// without (`>&-`), before anything else opens a file. Otherwise the store's `lock.mdb` or
    /// `data.mdb` would be given descriptor 1 or 2, and the answers or messages written into it. A
    /// closed standard output counts as a failed write (exit 2); a closed standard input is
    /// remembered for `apply -`.
    static func guardStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0 && opened != fd {
                _ = dup2(opened, fd)
                _ = close(opened)
            }
            if fd == 0 { inputWasClosed = true }
            if fd == 1 { outputFailure.withLock { $0 = EBADF } }
        }
    }

    /// Why writing to standard output failed, if it did.
    static var outputError: String? {
        outputFailure.withLock { $0 }.map { String(cString: strerror($0)) }
    }

    /// Appends `text` to standard output's buffer (see ``flush()``); flushes past 64 KiB.
    static func out(_ text: String) {
        let full = buffer.withLock { bytes in
            bytes.append(contentsOf: text.utf8)
            return bytes.count >= 1 << 16
        }
        if full { flush() }
    }

    /// Appends bytes (UTF-8 text) to standard output's buffer; flushes past 64 KiB.
    static func out(bytes text: [UInt8]) {
        let full = buffer.withLock { bytes in
            bytes.append(contentsOf: text)
            return bytes.count >= 1 << 16
        }
        if full { flush() }
    }

    /// Appends `text` and a newline to standard output's buffer.
    static func outLine(_ text: String) { out(text + "\n") }

    /// Writes `text` and a newline to standard error at once.
    static func err(_ text: String) {
        writeAll(2, Array((text + "\n").utf8))
    }

    /// Writes the buffered standard output.
    static func flush() {
        let bytes = buffer.withLock { bytes in
            let taken = bytes
            bytes.removeAll(keepingCapacity: true)
            return taken
        }
        writeAll(1, bytes)
    }

    /// Writes every byte, retrying on interruption and short writes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if fd == 1 {
                        let failure = errno
                        outputFailure.withLock { if $0 == nil { $0 = failure } }
                    }
                    return
                }
                offset += written
            }
        }
    }
}

/// The process environment.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}
