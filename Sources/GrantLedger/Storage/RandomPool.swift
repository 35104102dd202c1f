import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random bytes from the operating system's generator (`/dev/urandom`), read 4 KiB at a time.
///
/// Sealing a personal field needs a fresh nonce, and a new subject a key and an id; taking them from
/// the system one small request at a time cost a system call per 8 bytes and most of a command's
/// sealing time. The bytes are the kernel's, unaltered; each is handed out once.
enum RandomPool {
    private static let state = Mutex<(buffer: [UInt8], offset: Int)>(([], 0))
    private static let refillSize = 4096

    /// `count` random bytes; stops the process if the system's generator cannot be read (sealing
    /// with predictable bytes is never an option).
    static func bytes(_ count: Int) -> [UInt8] {
        state.withLock { pool in
            if pool.buffer.count - pool.offset < count {
                pool.buffer = readSystem(max(refillSize, count))
                pool.offset = 0
            }
            let start = pool.offset
            pool.offset += count
            let result = Array(pool.buffer[start..<pool.offset])
            // Wipe what was handed out, so the pool never holds a key that is in use.
            for index in start..<pool.offset { pool.buffer[index] = 0 }
            return result
        }
    }

    private static func readSystem(_ count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let file = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        precondition(file >= 0, "cannot open /dev/urandom")
        defer { close(file) }
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { raw in
                read(file, raw.baseAddress! + filled, count - filled)
            }
            if got < 0 && errno == EINTR { continue }
            precondition(got > 0, "cannot read /dev/urandom")
            filled += got
        }
        return buffer
    }
}
