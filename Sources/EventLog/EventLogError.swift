internal import CLMDB

/// The one error type of the `EventLog` module.
///
/// Match on ``code`` (an extensible set of static constants, so new codes never break callers):
///
/// ```swift
/// do { _ = try await store.append(request) } catch let error where error.code == .wrongExpectedVersion {
///     print(error.stream ?? "", error.actualVersion ?? 0)
/// }
/// ```
public struct EventLogError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of constants.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// A stream's current version did not match the expected version; see ``EventLogError/stream``
        /// and ``EventLogError/actualVersion``.
        public static let wrongExpectedVersion = Code("wrongExpectedVersion")
        /// The memory map is full and could not be grown.
        public static let mapFull = Code("mapFull")
        /// Stored bytes are not what this module wrote (bad record, broken index, damaged file).
        public static let corrupted = Code("corrupted")
        /// Any other LMDB failure; ``EventLogError/lmdbCode`` holds LMDB's return code.
        public static let lmdb = Code("lmdb")
        /// The store folder is already open in this process (one environment per path per process).
        public static let alreadyOpen = Code("alreadyOpen")
        /// The store was closed.
        public static let closed = Code("closed")
        /// An argument is out of range: an empty or too long stream id, a too long string, no events.
        public static let invalidArgument = Code("invalidArgument")
        /// A file-system operation failed; ``EventLogError/systemErrno`` holds `errno`.
        public static let io = Code("io")
        /// A named database that was not declared in ``EventStoreOptions/extraDatabases``.
        public static let unknownDatabase = Code("unknownDatabase")
        /// A blocking write was started from inside a write transaction (it would wait for itself).
        public static let reentrantWrite = Code("reentrantWrite")
        /// The store was written by a newer, unknown format version.
        public static let unsupportedFormat = Code("unsupportedFormat")

        /// The constant's name.
        public var description: String { name }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The stream concerned, for ``Code/wrongExpectedVersion``.
    public var stream: String?
    /// The stream's actual version for ``Code/wrongExpectedVersion``; `nil` when the stream does not exist.
    public var actualVersion: UInt64?
    /// What the caller expected, for ``Code/wrongExpectedVersion``.
    public var expectedVersion: ExpectedVersion?
    /// LMDB's return code, for ``Code/lmdb`` and the LMDB-derived codes.
    public var lmdbCode: Int32?
    /// The C `errno`, for ``Code/io``.
    public var systemErrno: Int32?

    /// Creates an error with a code and a message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`, plus the stream and versions when there are any.
    public var description: String {
        var text = "EventLogError.\(code): \(message)"
        if let lmdbCode { text += " (LMDB \(lmdbCode))" }
        return text
    }

    /// A version conflict on `stream`.
    static func wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: UInt64?) -> EventLogError {
        var error = EventLogError(
            code: .wrongExpectedVersion,
            message: "stream '\(stream)' expected \(expected) but is at "
                + (actual.map { "version \($0)" } ?? "no stream")
        )
        error.stream = stream
        error.expectedVersion = expected
        error.actualVersion = actual
        return error
    }

    /// Maps an LMDB return code to an error; `MDB_MAP_FULL` and `MDB_CORRUPTED` get their own codes.
    static func lmdb(_ rc: Int32, _ operation: String) -> EventLogError {
        let code: Code
        switch rc {
        case MDB_MAP_FULL: code = .mapFull
        case MDB_CORRUPTED, MDB_PANIC, MDB_PAGE_NOTFOUND, MDB_INVALID: code = .corrupted
        default: code = .lmdb
        }
        var error = EventLogError(code: code, message: "\(operation): \(String(cString: mdb_strerror(rc)))")
        error.lmdbCode = rc
        return error
    }

    /// A file-system error with `errno`.
    static func io(_ errnoValue: Int32, _ operation: String) -> EventLogError {
        var error = EventLogError(code: .io, message: "\(operation): \(String(cString: mdb_strerror(errnoValue)))")
        error.systemErrno = errnoValue
        return error
    }

    /// Stored bytes that do not decode.
    static func corrupted(_ message: String) -> EventLogError {
        EventLogError(code: .corrupted, message: message)
    }

    /// A bad argument.
    static func invalid(_ message: String) -> EventLogError {
        EventLogError(code: .invalidArgument, message: message)
    }
}
