/// A UTF-8 check over raw bytes, without making a `String`: the well-formed byte sequences of the
/// Unicode Standard (table 3-7), so overlong forms, surrogates and code points past U+10FFFF fail.
///
/// `String(validating:as:)` runs generic code with a metadata lookup per call, and
/// `String(decoding:)` allocates for all but the shortest texts; this is a byte loop that takes
/// ASCII eight bytes at a time.
public enum UTF8Validation {
    /// Whether `bytes` is well-formed UTF-8.
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            if index + 8 <= count,
                bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
                continue
            }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let width: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: width = 2
            case 0xE0:
                width = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: width = 3
            case 0xED:
                width = 3
                high = 0x9F
            case 0xF0:
                width = 4
                low = 0x90
            case 0xF1...0xF3: width = 4
            case 0xF4:
                width = 4
                high = 0x8F
            default: return false
            }
            guard index + width <= count else { return false }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return false }
            var next = index + 2
            while next < index + width {
                guard bytes[next] & 0xC0 == 0x80 else { return false }
                next += 1
            }
            index += width
        }
        return true
    }

    /// Whether `bytes` is well-formed UTF-8.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        isValid(UnsafeRawBufferPointer(bytes))
    }
}
