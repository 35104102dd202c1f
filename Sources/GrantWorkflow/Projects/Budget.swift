/// An amount of money in fen (分, 0.01 yuan); never floating point (docs/rules.md §6).
public typealias Fen = Int64

/// A project budget: direct costs by category, indirect costs and external allocations (docs/rules.md §6).
public struct Budget: Codable, Sendable, Hashable, BinaryCodable {
    /// Direct costs by category (`equipment` 设备费, `business` 业务费, `labor` 劳务费, or older ones).
    public var direct: [String: Fen]
    /// Indirect costs (间接费用): never adjustable (R-BUD-1).
    public var indirect: Fen
    /// Allocations to external partners (外拨经费).
    public var external: [ExternalAllocation]

    /// Creates a budget.
    public init(direct: [String: Fen], indirect: Fen, external: [ExternalAllocation] = []) {
        self.direct = direct
        self.indirect = indirect
        self.external = external
    }

    /// The sum of the direct costs.
    public var directTotal: Fen { direct.values.reduce(0, &+) }

    /// Direct plus indirect costs.
    public var total: Fen { directTotal &+ indirect }

    /// The sum of the external allocations.
    public var externalTotal: Fen { external.reduce(0) { $0 &+ $1.amount } }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(direct)
        writer.write(indirect)
        writer.write(external)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        direct = try reader.read()
        indirect = try reader.read()
        external = try reader.read()
    }
}

/// Money allocated to an external partner (外拨经费), split by category.
public struct ExternalAllocation: Codable, Sendable, Hashable, BinaryCodable {
    /// The partner's name.
    public var partner: String
    /// The partner's unified social credit code (统一社会信用代码); identifies the partner.
    public var creditCode: String
    /// The amount allocated.
    public var amount: Fen
    /// The amount by direct-cost category; sums to `amount` (R-BUD-2).
    public var byCategory: [String: Fen]

    /// Creates an allocation.
    public init(partner: String, creditCode: String, amount: Fen, byCategory: [String: Fen]) {
        self.partner = partner
        self.creditCode = creditCode
        self.amount = amount
        self.byCategory = byCategory
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(partner)
        writer.write(creditCode)
        writer.write(amount)
        writer.write(byCategory)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        partner = try reader.read()
        creditCode = try reader.read()
        amount = try reader.read()
        byCategory = try reader.read()
    }
}
