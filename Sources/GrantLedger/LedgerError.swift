public import EventLog
public import GrantWorkflow

/// An error of the engine: a stable code, the rule it enforces (R-…) when there is one, a message,
/// and the offending input field for `invalidInput`.
///
/// Codes are those of docs/cli.md (`duplicatePendingChange`, `invalidInput` …) plus the engine's own
/// (`storage`, `corrupted`). ``Code`` is an extensible struct: new codes never break a
/// `switch` of a caller, who compares with the static members.
public struct LedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as written in result lines.
        public var rawValue: String
        /// A code from its raw value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The raw value.
        public var description: String { rawValue }

        /// A command or line that is not valid input (docs/cli.md).
        public static let invalidInput = Code(rawValue: "invalidInput")
        /// An unknown command type.
        public static let unknownCommand = Code(rawValue: "unknownCommand")
        /// Something asked for does not exist.
        public static let notFound = Code(rawValue: "notFound")
        /// The viewer or actor may not see or do this.
        public static let forbidden = Code(rawValue: "forbidden")
        /// The command's time is outside the clock's tolerance, or earlier than the newest event (R-LOG-4).
        public static let clockSkew = Code(rawValue: "clockSkew")
        /// The command id was already used by a different command (R-LOG-3).
        public static let idempotencyConflict = Code(rawValue: "idempotencyConflict")
        /// The store failed to read or write (LMDB error, disk full …).
        public static let storage = Code(rawValue: "storage")
        /// A stored record could not be decoded or the log's chain is broken.
        public static let corrupted = Code(rawValue: "corrupted")
        /// A PostgreSQL replica is not a copy of this log: the digest at its checkpoint differs from the
        /// log's at that position, or its checkpoint is past the log's head (`sink postgres`).
        public static let diverged = Code(rawValue: "diverged")
    }

    /// The code.
    public var code: Code
    /// The rule id (R-…) this error enforces, if any.
    public var rule: String?
    /// A human message; Chinese where the platform's manual gives the words.
    public var message: String
    /// The input field at fault (for `invalidInput`).
    public var field: String?

    /// An error from its parts.
    public init(_ code: Code, rule: String? = nil, field: String? = nil, _ message: String) {
        self.code = code
        self.rule = rule
        self.field = field
        self.message = message
    }

    /// The engine's form of a workflow error (same code, rule, message and field).
    public init(_ error: WorkflowError) {
        self.init(Code(rawValue: error.code.rawValue), rule: error.rule, field: error.field, error.message)
    }

    /// The engine's form of an event-log error.
    public init(_ error: EventLogError) {
        let code: Code = error.code == .corrupted ? .corrupted : .storage
        self.init(code, error.message)
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The error as the `error` member of a result line.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("code", .string(code.rawValue)), ("rule", .optional(rule))]
        pairs.append(("message", .string(message)))
        if let field { pairs.append(("field", .string(field))) }
        return .object(pairs)
    }
}
