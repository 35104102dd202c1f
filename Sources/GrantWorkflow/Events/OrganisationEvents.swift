/// Payload of `ProvinceCreated` (v1).
public struct ProvinceCreated: Codable, Sendable, Hashable, BinaryCodable {
    /// The province.
    public var provinceId: String
    /// Its name.
    public var name: String
    /// The national office account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(provinceId: String, name: String, by: String, at: Timestamp) {
        self.provinceId = provinceId
        self.name = name
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(provinceId)
        writer.write(name)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        provinceId = try reader.read()
        name = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}

/// Payload of `UnitCreated` (v1).
public struct UnitCreated: Codable, Sendable, Hashable, BinaryCodable {
    /// The unit.
    public var unitId: String
    /// Its name.
    public var name: String
    /// Its province.
    public var provinceId: String
    /// The creating account.
    public var by: String
    /// When.
    public var at: Timestamp

    /// Creates the payload.
    public init(unitId: String, name: String, provinceId: String, by: String, at: Timestamp) {
        self.unitId = unitId
        self.name = name
        self.provinceId = provinceId
        self.by = by
        self.at = at
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(unitId)
        writer.write(name)
        writer.write(provinceId)
        writer.write(by)
        writer.write(at)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        unitId = try reader.read()
        name = try reader.read()
        provinceId = try reader.read()
        by = try reader.read()
        at = try reader.read()
    }
}
