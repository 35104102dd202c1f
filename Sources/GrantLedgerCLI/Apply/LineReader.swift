#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines of bytes from a file descriptor in large chunks, without Foundation.
///
/// A line longer than `maximumLength` is not kept: it comes back as ``Line/tooLong`` (its bytes are
/// skipped up to the next newline), so a malicious input cannot exhaust memory.
struct LineReader {
    enum Line {
        case bytes([UInt8])
        case tooLong(length: Int)
    }

    private let fd: Int32
    private let maximumLength: Int
    private var buffer: [UInt8] = []
    private var scratch: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes (bytes before it hold none).
    private var scanned = 0
    private var atEnd = false
    private var discarding = false
    private var discarded = 0
    /// Bytes read so far (for progress).
    private(set) var bytesRead: UInt64 = 0

    init(fd: Int32, maximumLength: Int) {
        self.fd = fd
        self.maximumLength = maximumLength
    }

    /// The next line without its newline (and a trailing CR), or nil at the end of input.
    mutating func next() throws(ReadFailure) -> Line? {
        while true {
            if let newline = buffer[max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                let lineStart = start
                start = newline + 1
                scanned = start
                if discarding {
                    discarding = false
                    let length = discarded + (newline - lineStart)
                    discarded = 0
                    return .tooLong(length: length)
                }
                if end > lineStart && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                return .bytes(Array(buffer[lineStart..<end]))
            }
            if atEnd {
                if discarding {
                    discarding = false
                    let length = discarded + (buffer.count - start)
                    discarded = 0
                    buffer.removeAll()
                    start = 0
                    scanned = 0
                    return .tooLong(length: length)
                }
                guard start < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Array(buffer[start..<end])
                buffer.removeAll()
                start = 0
                scanned = 0
                return .bytes(line)
            }
            // Compact, then read more.
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            scanned = buffer.count
            if buffer.count > maximumLength {
                discarding = true
                discarded += buffer.count
                buffer.removeAll(keepingCapacity: true)
                scanned = 0
            }
            try fill()
        }
    }

    private mutating func fill() throws(ReadFailure) {
        if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: 1 << 20) }
        var readCount = 0
        while true {
            readCount = scratch.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) }
            if readCount < 0 && errno == EINTR { continue }
            break
        }
        guard readCount >= 0 else { throw ReadFailure(message: String(cString: strerror(errno))) }
        buffer.append(contentsOf: scratch[0..<readCount])
        bytesRead += UInt64(readCount)
        if readCount == 0 { atEnd = true }
    }
}

/// Reading the input failed.
struct ReadFailure: Error {
    let message: String
}
