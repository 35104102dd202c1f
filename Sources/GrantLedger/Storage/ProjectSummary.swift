internal import GrantWorkflow

/// What `query projects` needs of a project, stored beside the project under `PR/no`
/// (``ModelKey/Table/projectSummary``) by the same writers (``ModelStore/putProject(_:)``, the
/// rebuild's ``ModelOverlay``, ``ModelRecords/records(of:hasher:)``), so a listing reads these small
/// records instead of decoding whole projects with their members and budgets.
///
/// Besides the listed columns it holds what the listing's filters and the viewer's scope test: the
/// closeout flag (overdue, R-PRJ-3) and the leader's ID type and number (R-PRJ-2). The number is a
/// personal field (R-LOG-6): an erasure rewrites it as the project's own record is rewritten, since
/// ``Erasure`` compares every record ``ModelRecords`` yields.
struct ProjectSummary: Sendable, Hashable, BinaryCodable {
    var projectNo: String
    var title: String
    var status: ProjectStatus
    var category: ProjectCategory
    var unitId: String
    var plannedEndDate: CalendarDate
    var closeoutUnderReview: Bool
    var leaderIdType: IdType
    var leaderIdNumber: String

    init(_ project: Project) {
        projectNo = project.projectNo
        title = project.title
        status = project.status
        category = project.category
        unitId = project.unitId
        plannedEndDate = project.plannedEndDate
        closeoutUnderReview = project.closeoutUnderReview
        leaderIdType = project.leader.idType
        leaderIdNumber = project.leader.idNumber
    }

    /// As ``Project/isOverdue(on:)``.
    func isOverdue(on today: CalendarDate) -> Bool {
        status == .active && !closeoutUnderReview && today > plannedEndDate
    }

    func encode(to writer: inout BinaryWriter) {
        writer.write(projectNo)
        writer.write(title)
        writer.write(status)
        writer.write(category)
        writer.write(unitId)
        writer.write(plannedEndDate)
        writer.write(closeoutUnderReview)
        writer.write(leaderIdType)
        writer.write(leaderIdNumber)
    }

    init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        projectNo = try reader.read()
        title = try reader.read()
        status = try reader.read()
        category = try reader.read()
        unitId = try reader.read()
        plannedEndDate = try reader.read()
        closeoutUnderReview = try reader.read()
        leaderIdType = try reader.read()
        leaderIdNumber = try reader.read()
    }
}

extension ProjectSummary {
    /// A stored summary read in place: its strings are byte ranges of the record, valid while the
    /// read transaction that found it lasts. Reading one checks it as ``init(from:)`` does (UTF-8,
    /// known enumeration values, date range, no trailing bytes) without making a string.
    struct View {
        var projectNo: UnsafeRawBufferPointer
        var title: UnsafeRawBufferPointer
        var status: ProjectStatus
        var category: ProjectCategory
        var unitId: UnsafeRawBufferPointer
        var plannedEndDate: CalendarDate
        var closeoutUnderReview: Bool
        var leaderIdType: IdType
        var leaderIdNumber: UnsafeRawBufferPointer

        init(_ record: UnsafeRawBufferPointer) throws(BinaryDecodingError) {
            var reader = RawReader(bytes: record)
            projectNo = try reader.text()
            title = try reader.text()
            status = try reader.choice(Tables.statuses)
            category = try reader.choice(Tables.categories)
            unitId = try reader.text()
            let days = try reader.signed()
            // As CalendarDate's binary form.
            guard days > -100_000, days < 400_000 else { throw BinaryDecodingError("date out of range") }
            plannedEndDate = CalendarDate(daysSinceEpoch: Int(days))
            switch try reader.byte() {
            case 0: closeoutUnderReview = false
            case 1: closeoutUnderReview = true
            default: throw BinaryDecodingError("invalid Bool")
            }
            leaderIdType = try reader.choice(Tables.idTypes)
            leaderIdNumber = try reader.text()
            guard reader.offset == record.count else {
                throw BinaryDecodingError("\(record.count - reader.offset) trailing bytes")
            }
        }

        /// As ``ProjectSummary/isOverdue(on:)``.
        func isOverdue(on today: CalendarDate) -> Bool {
            status == .active && !closeoutUnderReview && today > plannedEndDate
        }

        var unitIdText: String { String(decoding: unitId, as: UTF8.self) }
        var leaderIdNumberText: String { String(decoding: leaderIdNumber, as: UTF8.self) }

        /// The summary, its strings made from the (checked) bytes.
        var summary: ProjectSummary {
            ProjectSummary(
                projectNo: String(decoding: projectNo, as: UTF8.self), title: String(decoding: title, as: UTF8.self),
                status: status, category: category, unitId: unitIdText, plannedEndDate: plannedEndDate,
                closeoutUnderReview: closeoutUnderReview, leaderIdType: leaderIdType,
                leaderIdNumber: leaderIdNumberText)
        }
    }

    init(
        projectNo: String, title: String, status: ProjectStatus, category: ProjectCategory, unitId: String,
        plannedEndDate: CalendarDate, closeoutUnderReview: Bool, leaderIdType: IdType, leaderIdNumber: String
    ) {
        self.projectNo = projectNo
        self.title = title
        self.status = status
        self.category = category
        self.unitId = unitId
        self.plannedEndDate = plannedEndDate
        self.closeoutUnderReview = closeoutUnderReview
        self.leaderIdType = leaderIdType
        self.leaderIdNumber = leaderIdNumber
    }

    /// The enumerations' stored names, to match bytes without making strings.
    private enum Tables {
        static let statuses = ProjectStatus.allCases.map { ($0, Array($0.rawValue.utf8)) }
        static let categories = ProjectCategory.allCases.map { ($0, Array($0.rawValue.utf8)) }
        static let idTypes = IdType.allCases.map { ($0, Array($0.rawValue.utf8)) }
    }

    /// ``BinaryReader``'s layout (varints, zig-zag integers, length-prefixed UTF-8) over raw bytes.
    private struct RawReader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func byte() throws(BinaryDecodingError) -> UInt8 {
            guard offset < bytes.count else { throw BinaryDecodingError("unexpected end of payload") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() throws(BinaryDecodingError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = try byte()
                if shift == 63 && byte > 1 { throw BinaryDecodingError("varint overflow") }
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
                if shift > 63 { throw BinaryDecodingError("varint too long") }
            }
        }

        mutating func signed() throws(BinaryDecodingError) -> Int64 {
            let raw = try varint()
            return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        }

        mutating func text() throws(BinaryDecodingError) -> UnsafeRawBufferPointer {
            let count = try varint()
            guard count <= UInt64(bytes.count - offset) else {
                throw BinaryDecodingError("count \(count) exceeds the payload")
            }
            let text = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(count))])
            offset += Int(count)
            guard UTF8Validation.isValid(text) else { throw BinaryDecodingError("invalid UTF-8 in string") }
            return text
        }

        mutating func choice<Value>(_ table: [(Value, [UInt8])]) throws(BinaryDecodingError) -> Value {
            let name = try text()
            for (value, bytes) in table where bytes.elementsEqual(name) { return value }
            throw BinaryDecodingError("unknown \(Value.self) '\(String(decoding: name, as: UTF8.self))'")
        }
    }
}

extension Account {
    /// As ``Account/leads(_:)`` for a project, from its stored summary.
    func leads(_ summary: ProjectSummary.View) -> Bool {
        role == .leader && leads(leaderIdType: summary.leaderIdType, leaderIdNumber: summary.leaderIdNumberText)
    }
}
