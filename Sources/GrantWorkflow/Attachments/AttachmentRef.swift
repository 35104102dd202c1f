/// Why a file is attached.
public enum AttachmentPurpose: String, Sendable, Codable, CaseIterable, BinaryCodable, Labeled {
    /// 经费明细账: the detailed ledger a closeout needs (R-CLO-2).
    case ledger
    /// The proof of an exempt closeout's ground (R-CLO-2).
    case exemptionProof
    /// 修改说明: revision notes after a deferral (R-CLO-7).
    case revisionNotes
    /// 最终成果: the final deliverable a closeout for appraisal needs; the experts read it (R-CLO-2, R-CLO-5).
    case finalDeliverable
    /// Anything else.
    case other

    /// The label of the purpose.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.ledger, .zh): return "经费明细账"
        case (.ledger, .en): return "Detailed ledger"
        case (.exemptionProof, .zh): return "免于鉴定证明材料"
        case (.exemptionProof, .en): return "Exemption proof"
        case (.revisionNotes, .zh): return "修改说明"
        case (.revisionNotes, .en): return "Revision notes"
        case (.finalDeliverable, .zh): return "最终成果"
        case (.finalDeliverable, .en): return "Final deliverable"
        case (.other, .zh): return "其他附件"
        case (.other, .en): return "Other"
        }
    }
}

/// A reference to a stored file: the event records it, the bytes live outside the log by digest (R-ATT-1).
public struct AttachmentRef: Codable, Sendable, Hashable, BinaryCodable {
    /// Lower-case hex SHA-256 of the content: the address in the attachment store.
    public var digest: String
    /// The file name as uploaded.
    public var filename: String
    /// The media type, e.g. `application/pdf`.
    public var mediaType: String
    /// The size in bytes.
    public var size: Int
    /// Why it is attached.
    public var purpose: AttachmentPurpose
    /// The account that attached it.
    public var attachedBy: String
    /// When.
    public var attachedAt: Timestamp

    /// Creates a reference.
    public init(
        digest: String, filename: String, mediaType: String, size: Int, purpose: AttachmentPurpose,
        attachedBy: String, attachedAt: Timestamp
    ) {
        self.digest = digest
        self.filename = filename
        self.mediaType = mediaType
        self.size = size
        self.purpose = purpose
        self.attachedBy = attachedBy
        self.attachedAt = attachedAt
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(digest)
        writer.write(filename)
        writer.write(mediaType)
        writer.write(size)
        writer.write(purpose)
        writer.write(attachedBy)
        writer.write(attachedAt)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        digest = try reader.read()
        filename = try reader.read()
        mediaType = try reader.read()
        size = try reader.read()
        purpose = try reader.read()
        attachedBy = try reader.read()
        attachedAt = try reader.read()
    }
}

/// The item an attachment belongs to (R-ATT-2).
public enum AttachmentOwner: Codable, Sendable, Hashable, BinaryCodable {
    /// A closeout.
    case closeout(String)
    /// A change request.
    case changeRequest(String)
    /// A budget adjustment.
    case budgetAdjustment(String)

    /// The owner's id.
    public var id: String {
        switch self {
        case .closeout(let id), .changeRequest(let id), .budgetAdjustment(let id): return id
        }
    }

    /// Writes a tag and the id.
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .closeout(let id):
            writer.writeByte(0)
            writer.write(id)
        case .changeRequest(let id):
            writer.writeByte(1)
            writer.write(id)
        case .budgetAdjustment(let id):
            writer.writeByte(2)
            writer.write(id)
        }
    }

    /// Reads a tag and the id.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let tag = try reader.readByte()
        let id: String = try reader.read()
        switch tag {
        case 0: self = .closeout(id)
        case 1: self = .changeRequest(id)
        case 2: self = .budgetAdjustment(id)
        default: throw BinaryDecodingError("unknown attachment owner tag \(tag)")
        }
    }
}

/// Attachment bytes for the engine to store by digest, outside the events (R-ATT-1).
public struct AttachmentBlob: Sendable, Hashable {
    /// Lower-case hex SHA-256 of `bytes`.
    public var digest: String
    /// The content.
    public var bytes: [UInt8]

    /// Creates a blob.
    public init(digest: String, bytes: [UInt8]) {
        self.digest = digest
        self.bytes = bytes
    }
}

extension AttachmentOwner {
    private enum CodingKeys: String, CodingKey {
        case closeoutId
        case requestId
        case adjustmentId
    }

    /// `{"closeoutId": …}`, `{"requestId": …}` or `{"adjustmentId": …}`, as in `attachFile` (docs/cli.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .closeout(let id): try container.encode(id, forKey: .closeoutId)
        case .changeRequest(let id): try container.encode(id, forKey: .requestId)
        case .budgetAdjustment(let id): try container.encode(id, forKey: .adjustmentId)
        }
    }

    /// Reads the form `encode(to:)` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try container.decodeIfPresent(String.self, forKey: .closeoutId) {
            self = .closeout(id)
        } else if let id = try container.decodeIfPresent(String.self, forKey: .requestId) {
            self = .changeRequest(id)
        } else {
            self = .budgetAdjustment(try container.decode(String.self, forKey: .adjustmentId))
        }
    }
}
