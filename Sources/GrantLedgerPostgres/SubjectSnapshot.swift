internal import GrantLedger

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The subject keys database as last copied, packed in key order into one buffer (per entry: key
/// length UInt32, value length UInt32, key, value), so each batch finds what changed with one merge
/// walk and no allocation per entry.
struct SubjectSnapshot {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0
    /// The store snapshot the entries were read from (nil when they came from the replica): while the
    /// store's snapshot id stays the same, nothing was committed, so nothing changed.
    private(set) var storeSnapshot: UInt64?

    /// A snapshot of entries sorted by key (PostgreSQL's `ORDER BY key` on `bytea`, LMDB's order).
    init(sorted entries: [(key: [UInt8], value: [UInt8])]) {
        for entry in entries {
            Self.append(&bytes, entry.key, entry.value)
            count += 1
        }
    }

    private init(bytes: [UInt8], count: Int, storeSnapshot: UInt64) {
        self.bytes = bytes
        self.count = count
        self.storeSnapshot = storeSnapshot
    }

    /// The entries, in key order, copied out.
    var entries: [(key: [UInt8], value: [UInt8])] {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(count)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let keyCount = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let valueCount = Int(
                    UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)))
                let keyStart = offset + 8
                entries.append(
                    (
                        Array(raw[keyStart..<keyStart + keyCount]),
                        Array(raw[keyStart + keyCount..<keyStart + keyCount + valueCount])
                    ))
                offset = keyStart + keyCount + valueCount
            }
        }
        return entries
    }

    private static func append(_ out: inout [UInt8], _ key: some Collection<UInt8>, _ value: some Collection<UInt8>) {
        withUnsafeBytes(of: UInt32(key.count).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(value.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: key)
        out.append(contentsOf: value)
    }

    /// The ledger's current entries as a new snapshot, and what differs from this one: entries added
    /// or changed, and keys removed.
    func diff(
        with ledger: Ledger
    ) throws -> (next: SubjectSnapshot, changed: [(key: [UInt8], value: [UInt8])], removed: [[UInt8]]) {
        // A catch-up of a store nobody writes to reads the database once, not once per batch.
        if let storeSnapshot, try ledger.snapshotID() == storeSnapshot { return (self, [], []) }
        var next: [UInt8] = []
        next.reserveCapacity(bytes.count + 4_096)
        var nextCount = 0
        var changed: [(key: [UInt8], value: [UInt8])] = []
        var removed: [[UInt8]] = []
        let snapshot = try bytes.withUnsafeBytes { old in
            var offset = 0
            func oldEntry() -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
                guard offset < old.count else { return nil }
                let keyCount = Int(UInt32(littleEndian: old.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let valueCount = Int(
                    UInt32(littleEndian: old.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)))
                let keyStart = offset + 8
                return (
                    UnsafeRawBufferPointer(rebasing: old[keyStart..<keyStart + keyCount]),
                    UnsafeRawBufferPointer(rebasing: old[keyStart + keyCount..<keyStart + keyCount + valueCount])
                )
            }
            func advance(_ entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)) {
                offset += 8 + entry.key.count + entry.value.count
            }
            let snapshot = try ledger.scanSubjectRecords { key, value in
                // Lookups and occurrences are derived again at restore: not copied.
                guard Ledger.isReplicatedSubjectRecord(key) else { return true }
                while let entry = oldEntry(), Self.compare(entry.key, key) < 0 {
                    removed.append(Array(entry.key))
                    advance(entry)
                }
                if let entry = oldEntry(), Self.compare(entry.key, key) == 0 {
                    if Self.compare(entry.value, value) != 0 || entry.value.count != value.count {
                        changed.append((Array(key), Array(value)))
                    }
                    advance(entry)
                } else {
                    changed.append((Array(key), Array(value)))
                }
                Self.append(&next, key, value)
                nextCount += 1
                return true
            }
            while let entry = oldEntry() {
                removed.append(Array(entry.key))
                advance(entry)
            }
            return snapshot
        }
        return (SubjectSnapshot(bytes: next, count: nextCount, storeSnapshot: snapshot), changed, removed)
    }

    /// Lexicographic order of bytes, shorter first on a common prefix (LMDB's and PostgreSQL's).
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = memcmp(a.baseAddress!, b.baseAddress!, common)
            if result != 0 { return Int(result) }
        }
        return a.count - b.count
    }
}
