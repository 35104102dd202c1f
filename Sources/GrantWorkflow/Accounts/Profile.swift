/// The personal profile a leader or expert completes before acting (R-ACC-5, manual §3.3).
public struct Profile: Codable, Sendable, Hashable, BinaryCodable {
    /// Gender as the person states it.
    public var gender: String
    /// Date of birth.
    public var birthDate: CalendarDate
    /// Professional title (职称).
    public var title: String
    /// Highest degree.
    public var degree: String
    /// Research area.
    public var researchArea: String
    /// Further profile fields the form carries (workplace phone, …), by name.
    public var extra: [String: String]

    /// Creates a profile.
    public init(
        gender: String, birthDate: CalendarDate, title: String, degree: String, researchArea: String,
        extra: [String: String] = [:]
    ) {
        self.gender = gender
        self.birthDate = birthDate
        self.title = title
        self.degree = degree
        self.researchArea = researchArea
        self.extra = extra
    }

    /// Whether the profile's person has been erased (R-LOG-6): its personal fields read back erased.
    /// The further fields then read back as none, which alone could not be told from a profile that
    /// never had any; they are shown erased when the gender, sealed under the same subject, is.
    public var isErased: Bool { PersonalData.isErased(gender) }

    /// The JSON form: every field by name; `extra` as the erased gender (shown `{"erased": true}`)
    /// once the person is erased, so that outputs show it erased rather than as an empty map.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gender, forKey: .gender)
        try container.encode(birthDate, forKey: .birthDate)
        try container.encode(title, forKey: .title)
        try container.encode(degree, forKey: .degree)
        try container.encode(researchArea, forKey: .researchArea)
        if isErased && extra.isEmpty {
            try container.encode(gender, forKey: .extra)
        } else {
            try container.encode(extra, forKey: .extra)
        }
    }

    /// Writes the fields in order (plain: the read models' form).
    public func encode(to writer: inout BinaryWriter) {
        encode(to: &writer, of: .account(""))
    }

    /// Writes the fields in order; gender, birth date and the further fields are personal fields of
    /// `subject` (R-LOG-6).
    public func encode(to writer: inout BinaryWriter, of subject: SubjectRef) {
        writer.writePersonal(gender, of: subject)
        writer.writePersonal(birthDate, of: subject)
        writer.write(title)
        writer.write(degree)
        writer.write(researchArea)
        writer.writePersonal(extra, of: subject)
    }

    /// Reads the fields in order.
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        gender = try reader.readPersonal()
        birthDate = try reader.readPersonal()
        title = try reader.read()
        degree = try reader.read()
        researchArea = try reader.read()
        extra = try reader.readPersonal()
    }
}
