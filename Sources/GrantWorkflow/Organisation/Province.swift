/// A province, or a Beijing-based entrusted management body, with its provincial office (docs/rules.md §1).
public struct Province: Codable, Sendable, Hashable, BinaryCodable {
    /// The province id.
    public var id: String
    /// Its name.
    public var name: String

    /// Creates a province.
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(name)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        id = try reader.read()
        name = try reader.read()
    }
}
