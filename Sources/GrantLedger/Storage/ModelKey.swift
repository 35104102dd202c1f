internal import Crypto
internal import GrantWorkflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key layout of the `models` database (the read models) and the `credentials` database.
///
/// A key is a one- or two-letter table tag followed by components, each preceded by a 0x00 byte.
/// A component is its UTF-8 bytes, unless it is longer than 160 bytes or holds a 0x00 or 0x01
/// byte: then it is 0x01 followed by the hex SHA-256 of its bytes, so every key stays under
/// LMDB's 511-byte limit and no component can be mistaken for a separator.
enum ModelKey {
    /// Tags of the tables; a reader of `mdb_dump` output finds them here.
    enum Table: String {
        case account = "A"
        case username = "U"
        case personById = "L"
        case adminScope = "S"
        case province = "V"
        case unit = "N"
        case project = "P"
        case activeProject = "PA"
        case change = "C"
        case openChange = "CO"
        case changesOfProject = "CL"
        case closeout = "X"
        case openCloseout = "XO"
        case closeoutsOfProject = "XL"
        case certificate = "XC"
        case adjustment = "B"
        case openAdjustment = "BO"
        case adjustmentsOfProject = "BL"
        // Engine indexes for queries, derived from the entities.
        case awaiting = "W"
        case filing = "F"
        case pendingRegistration = "R"
        case projectsOfUnit = "PU"
        case projectsByStatus = "PS"
        case projectsByLeader = "PL"
        case projectsDue = "PD"
        /// A project's row of `query projects` (``ProjectSummary``), beside the project.
        case projectSummary = "PR"
        case counter = "K"
        // Credentials database.
        case credential = "c"
        case resetToken = "t"
        case passwordReset = "r"
    }

    static func make(_ table: Table, _ components: String...) -> [UInt8] {
        make(table, components)
    }

    static func make(_ table: Table, _ components: [String]) -> [UInt8] {
        var key = Array(table.rawValue.utf8)
        key.reserveCapacity(key.count + components.reduce(0) { $0 + $1.utf8.count + 1 })
        for component in components {
            key.append(0)
            appendComponent(component, to: &key)
        }
        return key
    }

    /// The prefix of every key of `table` whose first components are `components`, ending with the
    /// separator so that a scan does not run into longer components.
    static func prefix(_ table: Table, _ components: String...) -> [UInt8] {
        var key = make(table, components)
        key.append(0)
        return key
    }

    private static func appendComponent(_ component: String, to key: inout [UInt8]) {
        // One pass over the contiguous bytes (two generic `contains` of the UTF-8 view were 2 % of a
        // rebuild).
        var component = component
        let appended = component.withUTF8 { utf8 -> Bool in
            guard utf8.count <= 160, !utf8.contains(where: { $0 < 2 }) else { return false }
            key.append(contentsOf: utf8)
            return true
        }
        if !appended {
            key.append(1)
            key.append(contentsOf: PasswordHasher.hex(SHA256.hash(data: Array(component.utf8))).utf8)
        }
    }

    /// The last component of a key (as stored: hashed components come back as their hash).
    static func lastComponent(_ key: UnsafeRawBufferPointer) -> String {
        var start = key.count
        while start > 0 && key[start - 1] != 0 { start -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: key[start...]), as: UTF8.self)
    }

    /// Whether `a` sorts before `b` in LMDB's default key order (bytes, then length).
    /// Byte equality of two keys by `memcmp` (the generic `==` of arrays compares element by element).
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                guard let x = a.baseAddress, let y = b.baseAddress else { return true }
                return memcmp(x, y, a.count) == 0
            }
        }
    }

    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                let common = min(a.count, b.count)
                if common > 0, let x = a.baseAddress, let y = b.baseAddress {
                    let order = memcmp(x, y, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }

    static func scopeComponent(_ scope: AdminScope) -> String {
        switch scope {
        case .national: return "national"
        case .province(let id): return "province:" + id
        case .unit(let id): return "unit:" + id
        }
    }
}

/// Big-endian UInt64 keys and values (positions, sequence numbers).
enum BigEndian {
    static func bytes(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func value(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    }

    static func value(_ bytes: [UInt8]) -> UInt64? {
        bytes.withUnsafeBytes { value($0) }
    }
}
