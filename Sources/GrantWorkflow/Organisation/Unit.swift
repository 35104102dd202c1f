/// A responsible unit (责任单位: a university, an academy …) in one province.
public struct Unit: Codable, Sendable, Hashable, BinaryCodable {
    /// The unit id.
    public var id: String
    /// Its name.
    public var name: String
    /// The province it belongs to.
    public var provinceId: String

    /// Creates a unit.
    public init(id: String, name: String, provinceId: String) {
        self.id = id
        self.name = name
        self.provinceId = provinceId
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(name)
        writer.write(provinceId)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        id = try reader.read()
        name = try reader.read()
        provinceId = try reader.read()
    }
}
