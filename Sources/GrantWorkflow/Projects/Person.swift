/// A project leader as the approval records name them: name and identity document (docs/rules.md §2).
public struct Person: Codable, Sendable, Hashable, BinaryCodable {
    /// Full name.
    public var name: String
    /// Type of the identity document.
    public var idType: IdType
    /// Identity document number.
    public var idNumber: String

    /// Creates a person.
    public init(name: String, idType: IdType, idNumber: String) {
        self.name = name
        self.idType = idType
        self.idNumber = idNumber
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(idType)
        writer.writePersonal(idNumber, of: .person(idNumber))
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        name = try reader.read()
        idType = try reader.read()
        idNumber = try reader.readPersonal()
    }
}

/// A member of a project's research group (课题组成员).
public struct Member: Codable, Sendable, Hashable, BinaryCodable {
    /// Full name.
    public var name: String
    /// Type of the identity document.
    public var idType: IdType
    /// Identity document number.
    public var idNumber: String
    /// The member's unit, as typed.
    public var unit: String
    /// Professional title (职称).
    public var title: String
    /// Role in the group (e.g. 子课题负责人).
    public var role: String

    /// Creates a member.
    public init(name: String, idType: IdType, idNumber: String, unit: String, title: String, role: String) {
        self.name = name
        self.idType = idType
        self.idNumber = idNumber
        self.unit = unit
        self.title = title
        self.role = role
    }

    /// Writes the fields in order.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(idType)
        writer.writePersonal(idNumber, of: .person(idNumber))
        writer.write(unit)
        writer.write(title)
        writer.write(role)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        name = try reader.read()
        idType = try reader.read()
        idNumber = try reader.readPersonal()
        unit = try reader.read()
        title = try reader.read()
        role = try reader.read()
    }
}
