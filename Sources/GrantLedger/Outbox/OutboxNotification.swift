public import GrantWorkflow

/// A notification in the durable outbox (R-NTF-1): what to send, to whom, on which channel, and
/// where its delivery stands: delivered, waiting for a retry, or dead-lettered.
public struct OutboxNotification: Sendable, Hashable {
    /// The outbox sequence number: notifications are handed out in this order.
    public var sequence: UInt64
    /// The recipient account id.
    public var recipient: String
    /// `sms`, `email` or `inbox`.
    public var channel: NotificationChannel
    /// The template name (`reviewRequested`, `passwordReset` …).
    public var template: String
    /// The template's parameters; secrets (``secretParameters``) only until delivered.
    public var parameters: [String: String]
    /// The time of the command that queued it.
    public var createdAt: Timestamp
    /// The log position of that command (its last event, or the head when it appended none).
    public var position: UInt64
    /// When the host acknowledged delivery; nil while pending.
    public var deliveredAt: Timestamp?
    /// Failed delivery attempts so far.
    public var attempts: Int
    /// The earliest time of the next attempt after a failure; nil when due at once.
    public var nextAttemptAt: Timestamp?
    /// When it was dead-lettered after `WorkflowPolicy.maximumDeliveryAttempts` failures.
    public var deadAt: Timestamp?
    /// Why the last attempt failed, as the delivery said it (at most 500 characters).
    public var lastError: String?

    /// Parameters that carry secrets: handed to the delivery, removed from the store once the
    /// notification is delivered or dead-lettered, and never shown by a query (R-ACC-7, R-ACC-8).
    public static let secretParameters: Set<String> = ["token"]

    /// The id shown by `query outbox`: `n-` and the sequence number.
    public var id: String { "n-\(sequence)" }

    /// Whether it was delivered.
    public var isDelivered: Bool { deliveredAt != nil }

    /// Whether it was dead-lettered: no more attempts are made.
    public var isDead: Bool { deadAt != nil }

    /// Whether it waits for delivery: neither delivered nor dead-lettered.
    public var isPending: Bool { deliveredAt == nil && deadAt == nil }

    /// Whether an attempt is due at `time`: pending, and any retry wait is over.
    public func isDue(at time: Timestamp) -> Bool {
        isPending && (nextAttemptAt.map { $0 <= time } ?? true)
    }

    /// A notification from its parts.
    public init(
        sequence: UInt64, recipient: String, channel: NotificationChannel, template: String,
        parameters: [String: String], createdAt: Timestamp, position: UInt64, deliveredAt: Timestamp? = nil,
        attempts: Int = 0, nextAttemptAt: Timestamp? = nil, deadAt: Timestamp? = nil, lastError: String? = nil
    ) {
        self.sequence = sequence
        self.recipient = recipient
        self.channel = channel
        self.template = template
        self.parameters = parameters
        self.createdAt = createdAt
        self.position = position
        self.deliveredAt = deliveredAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.deadAt = deadAt
        self.lastError = lastError
    }

    /// The parameters without secrets: what every query shows.
    public var publicParameters: [String: String] {
        parameters.filter { !Self.secretParameters.contains($0.key) }
    }

    /// The stored form. The fields of the first layout come first, unchanged; the delivery state
    /// (attempts, next attempt, dead-letter time, last error) follows, so an entry written before
    /// it existed still decodes (its tail is simply absent).
    var encoded: [UInt8] {
        var writer = BinaryWriter(capacity: 112)
        writer.writeVarint(sequence)
        writer.write(recipient)
        writer.write(channel)
        writer.write(template)
        writer.write(parameters)
        writer.write(createdAt)
        writer.writeVarint(position)
        writer.write(deliveredAt)
        writer.write(attempts)
        writer.write(nextAttemptAt)
        writer.write(deadAt)
        writer.write(lastError)
        return writer.bytes
    }

    init(encoded bytes: [UInt8]) throws(BinaryDecodingError) {
        var reader = BinaryReader(bytes)
        sequence = try reader.readVarint()
        recipient = try reader.read()
        channel = try reader.read()
        template = try reader.read()
        parameters = try reader.read()
        createdAt = try reader.read()
        position = try reader.readVarint()
        deliveredAt = try reader.read()
        if reader.isAtEnd {
            // The first layout: no delivery state yet.
            attempts = 0
            nextAttemptAt = nil
            deadAt = nil
            lastError = nil
            return
        }
        attempts = try reader.read()
        nextAttemptAt = try reader.read()
        deadAt = try reader.read()
        lastError = try reader.read()
        try reader.expectEnd()
    }

    /// The notification as `query outbox` shows it: never a secret parameter (R-ACC-7).
    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("recipient", .string(recipient)), ("channel", .string(channel.rawValue)),
            ("template", .string(template)), ("params", .stringMap(publicParameters)),
            ("delivered", .bool(isDelivered)), ("attempts", .int(attempts)),
            ("nextAttemptAt", .optional(nextAttemptAt?.description)), ("dead", .bool(isDead)),
            ("createdAt", .string(createdAt.description)), ("position", .int(position)),
            ("deliveredAt", .optional(deliveredAt?.description)), ("deadAt", .optional(deadAt?.description)),
            ("lastError", .optional(lastError)),
        ])
    }

    /// The notification as a delivery receives it, secrets included: one JSON object, the line
    /// `grantledger outbox deliver` appends to its file or writes to its command.
    public var deliveryJSON: JSONValue {
        .object([
            ("id", .string(id)), ("recipient", .string(recipient)), ("channel", .string(channel.rawValue)),
            ("template", .string(template)), ("params", .stringMap(parameters)),
            ("createdAt", .string(createdAt.description)), ("position", .int(position)),
            ("attempt", .int(attempts + 1)),
        ])
    }
}

/// The host's way of sending notifications (SMS gateway, mail server, in-app inbox).
///
/// The engine hands each due notification to ``deliver(_:)`` in outbox order and records the
/// delivery only after it returns, so a crash between the two delivers it again on restart: at
/// least once, never zero times (R-NTF-1). Make deliveries idempotent by ``OutboxNotification/id``
/// when duplicates matter. A delivery that throws is retried later with backoff, without holding
/// up the notifications behind it.
public protocol NotificationDelivery: Sendable {
    /// Delivers one notification; throw to have it retried (or dead-lettered after the policy's
    /// attempt limit). The error's description is kept as the notification's `lastError`.
    func deliver(_ notification: OutboxNotification) async throws
}

/// Outbox keys of the `outbox` database.
enum OutboxKey {
    /// Every notification: `n` + big-endian sequence.
    static func entry(_ sequence: UInt64) -> [UInt8] { [UInt8(ascii: "n")] + BigEndian.bytes(sequence) }
    /// Pending ones (neither delivered nor dead): `u` + big-endian sequence.
    static func pending(_ sequence: UInt64) -> [UInt8] { [UInt8(ascii: "u")] + BigEndian.bytes(sequence) }
    /// Dead letters: `d` + big-endian sequence.
    static func dead(_ sequence: UInt64) -> [UInt8] { [UInt8(ascii: "d")] + BigEndian.bytes(sequence) }
    static let entryPrefix: [UInt8] = [UInt8(ascii: "n")]
    static let pendingPrefix: [UInt8] = [UInt8(ascii: "u")]
    static let deadPrefix: [UInt8] = [UInt8(ascii: "d")]
}
