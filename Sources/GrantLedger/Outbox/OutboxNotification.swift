public import GrantWorkflow

/// A notification in the durable outbox (R-NTF-1): what to send, to whom, on which channel, and
/// whether the host's ``NotificationDelivery`` has delivered it.
public struct OutboxNotification: Sendable, Hashable {
    /// The outbox sequence number: notifications are handed out in this order.
    public var sequence: UInt64
    /// The recipient account id.
    public var recipient: String
    /// `sms`, `email` or `inbox`.
    public var channel: NotificationChannel
    /// The template name (`reviewRequested`, `passwordReset` …).
    public var template: String
    /// The template's parameters.
    public var parameters: [String: String]
    /// The time of the command that queued it.
    public var createdAt: Timestamp
    /// The log position of that command (its last event, or the head when it appended none).
    public var position: UInt64
    /// When the host acknowledged delivery; nil while pending.
    public var deliveredAt: Timestamp?

    /// The id shown by `query outbox`: `n-` and the sequence number.
    public var id: String { "n-\(sequence)" }

    /// Whether it was delivered.
    public var isDelivered: Bool { deliveredAt != nil }

    /// A notification from its parts.
    public init(
        sequence: UInt64, recipient: String, channel: NotificationChannel, template: String,
        parameters: [String: String], createdAt: Timestamp, position: UInt64, deliveredAt: Timestamp? = nil
    ) {
        self.sequence = sequence
        self.recipient = recipient
        self.channel = channel
        self.template = template
        self.parameters = parameters
        self.createdAt = createdAt
        self.position = position
        self.deliveredAt = deliveredAt
    }

    var encoded: [UInt8] {
        var writer = BinaryWriter(capacity: 96)
        writer.writeVarint(sequence)
        writer.write(recipient)
        writer.write(channel)
        writer.write(template)
        writer.write(parameters)
        writer.write(createdAt)
        writer.writeVarint(position)
        writer.write(deliveredAt)
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
        try reader.expectEnd()
    }

    /// The notification as `query outbox` shows it.
    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("recipient", .string(recipient)), ("channel", .string(channel.rawValue)),
            ("template", .string(template)), ("params", .stringMap(parameters)), ("delivered", .bool(isDelivered)),
            ("createdAt", .string(createdAt.description)), ("position", .int(position)),
            ("deliveredAt", .optional(deliveredAt?.description)),
        ])
    }
}

/// The host's way of sending notifications (SMS gateway, mail server, in-app inbox).
///
/// The engine hands each pending notification to ``deliver(_:)`` in outbox order and records the
/// delivery only after it returns, so a crash between the two delivers it again on restart: at
/// least once, never zero times (R-NTF-1). Make deliveries idempotent by ``OutboxNotification/id``
/// when duplicates matter.
public protocol NotificationDelivery: Sendable {
    /// Delivers one notification; throw to leave it pending (it is retried on the next run).
    func deliver(_ notification: OutboxNotification) async throws
}

/// Outbox keys of the `outbox` database.
enum OutboxKey {
    /// Every notification: `n` + big-endian sequence.
    static func entry(_ sequence: UInt64) -> [UInt8] { [UInt8(ascii: "n")] + BigEndian.bytes(sequence) }
    /// Undelivered ones: `u` + big-endian sequence.
    static func pending(_ sequence: UInt64) -> [UInt8] { [UInt8(ascii: "u")] + BigEndian.bytes(sequence) }
    static let entryPrefix: [UInt8] = [UInt8(ascii: "n")]
    static let pendingPrefix: [UInt8] = [UInt8(ascii: "u")]
}
