/// The text rules of docs/cli.md "Input rules (rev. 2)", applied by ``FieldReader`` to every string of a
/// command, nested ones and object keys included.
///
/// - Text is normalised to NFC; length limits count the normalised text's Unicode scalars and its
///   UTF-8 bytes.
/// - Control characters (Unicode general category Cc) other than newline and tab are refused, and
///   so are the bidirectional overrides and isolates U+202A–U+202E and U+2066–U+2069, which make a
///   name display as something else (Trojan Source), and the Unicode noncharacters (U+FDD0–U+FDEF and
///   the last two code points of every plane), one of which marks an erased personal field.
/// - Identifiers match `[A-Za-z0-9][A-Za-z0-9._&-]{0,63}`.
///
/// Pure-ASCII text takes a byte loop (ASCII is already NFC), and text of Latin, CJK and their
/// punctuation skips the normaliser (see ``isStableStarter(_:)``).
enum InputText {
    /// The longest identifier, in bytes.
    static let maximumIdentifierLength = 64

    /// Why a text was refused.
    enum Refusal: Error, Equatable {
        /// A control character or a bidi override or isolate, at this scalar.
        case forbiddenScalar(Unicode.Scalar)
        /// More scalars or bytes than allowed (after NFC).
        case tooLong(scalars: Int, bytes: Int)
    }

    /// `text` in NFC, checked for forbidden scalars and limited to `maximumScalars` Unicode scalars
    /// and `maximumBytes` UTF-8 bytes.
    static func normalized(_ text: String, maximumScalars: Int, maximumBytes: Int) throws(Refusal) -> String {
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                ascii = false
                break
            }
            if byte < 0x20 || byte == 0x7F, byte != 0x0A, byte != 0x09 {
                throw .forbiddenScalar(Unicode.Scalar(byte))
            }
        }
        if ascii {
            let count = text.utf8.count
            guard count <= maximumScalars, count <= maximumBytes else {
                throw .tooLong(scalars: count, bytes: count)
            }
            return text
        }
        var scalars = 0
        var stable = true
        for scalar in text.unicodeScalars {
            if isForbidden(scalar) { throw .forbiddenScalar(scalar) }
            if stable, scalar.value >= 0x80, !isStableStarter(scalar) { stable = false }
            scalars += 1
        }
        if stable {
            let bytes = text.utf8.count
            guard scalars <= maximumScalars, bytes <= maximumBytes else {
                throw .tooLong(scalars: scalars, bytes: bytes)
            }
            return text
        }
        // The standard library's own NFC (the one `String` comparison uses), so the pure workflow
        // module needs no Foundation; NFC never introduces a control or bidi character.
        let units = text._nfcCodeUnits
        let normalized = units.elementsEqual(text.utf8) ? text : String(decoding: units, as: UTF8.self)
        let bytes = units.count
        scalars = normalized.unicodeScalars.count
        guard scalars <= maximumScalars, bytes <= maximumBytes else {
            throw .tooLong(scalars: scalars, bytes: bytes)
        }
        return normalized
    }

    /// `text` in NFC, unchecked (for canonical forms of text checked elsewhere).
    static func nfc(_ text: String) -> String {
        // ASCII and stable starters (nearly all Chinese text) are NFC already: no normaliser.
        if text.utf8.allSatisfy({ $0 < 0x80 })
            || text.unicodeScalars.allSatisfy({ $0.value < 0x80 || isStableStarter($0) })
        {
            return text
        }
        let units = text._nfcCodeUnits
        return units.elementsEqual(text.utf8) ? text : String(decoding: units, as: UTF8.self)
    }

    /// The value of the multi-byte scalar whose lead byte is at `index` in well-formed UTF-8 (the JSON
    /// parser checked it), moving `index` past it.
    @inline(__always)
    static func multiByteScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) -> UInt32 {
        let lead = bytes[index]
        var value: UInt32
        if lead < 0xE0 {
            value = UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
            index += 2
        } else if lead < 0xF0 {
            value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6
            value |= UInt32(bytes[index + 2] & 0x3F)
            index += 3
        } else {
            value = UInt32(lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
            value |= UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
            index += 4
        }
        return value
    }

    /// Checks a text given as UTF-8 bytes (well-formed, as the JSON parser leaves them) by the rules
    /// of ``normalized(_:maximumScalars:maximumBytes:)`` without making a `String`: refuses the first
    /// forbidden scalar, and returns whether the text is already NFC (ASCII and stable starters,
    /// ``isStableStarter(_:)``). When it is, the length limits are checked too and the bytes are the
    /// text; when it is not, the caller normalises the text with `normalized`, which checks them.
    static func check(
        utf8 bytes: UnsafeBufferPointer<UInt8>, maximumScalars: Int, maximumBytes: Int
    ) throws(Refusal) -> Bool {
        var scalars = 0
        var stable = true
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                if lead < 0x20 || lead == 0x7F, lead != 0x0A, lead != 0x09 {
                    throw .forbiddenScalar(Unicode.Scalar(lead))
                }
                index += 1
                scalars += 1
                continue
            }
            let value = multiByteScalar(bytes, at: &index)
            guard let scalar = Unicode.Scalar(value) else { return false }
            if isForbidden(scalar) { throw .forbiddenScalar(scalar) }
            if stable, !isStableStarter(scalar) { stable = false }
            scalars += 1
        }
        guard stable else { return false }
        guard scalars <= maximumScalars, count <= maximumBytes else {
            throw .tooLong(scalars: scalars, bytes: count)
        }
        return true
    }

    /// Whether `scalar` is a starter that NFC leaves alone whatever surrounds it (NFC_Quick_Check
    /// Yes, combining class 0, never the second of a composition): Latin letters and modifiers
    /// below U+0300, general punctuation U+2010–U+2027, CJK punctuation U+3000–U+3029, the CJK
    /// ideographs of the URO and extension A, and fullwidth forms. Text made only of these (and
    /// ASCII), which is nearly all Chinese text, is already NFC: it skips the normaliser.
    static func isStableStarter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00A0...0x02FF, 0x2010...0x2027, 0x3000...0x3029, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF60:
            return true
        default:
            return false
        }
    }

    /// Whether `scalar` is refused in text: a control character other than newline and tab, or a
    /// bidirectional override or isolate.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true
        // Unicode noncharacters: never interchanged, and U+FDD0 marks an erased personal field.
        case 0xFDD0...0xFDEF: return true
        case let value where value & 0xFFFE == 0xFFFE: return true
        default: return false
        }
    }

    /// Whether `text` is an identifier: `[A-Za-z0-9][A-Za-z0-9._&-]{0,63}`, compared byte for byte.
    static func isIdentifier(_ text: String) -> Bool { isIdentifier(utf8: text.utf8) }

    /// Whether the UTF-8 bytes `text` are an identifier.
    static func isIdentifier(utf8 text: some Sequence<UInt8>) -> Bool {
        var count = 0
        for byte in text {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                break
            case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "&"), UInt8(ascii: "-"):
                if count == 0 { return false }
            default:
                return false
            }
            count += 1
            if count > maximumIdentifierLength { return false }
        }
        return count > 0
    }

    /// The most scalars of a key that an error's `field` shows (``shownKey(_:)``).
    static let maximumShownKeyScalars = 64

    /// An object key as an error's `field` shows it: its first 64 Unicode scalars, then `…` when it
    /// is longer, with control characters (newline and tab included), bidi overrides and isolates, and
    /// noncharacters written as escapes (`\n`, `\t`, `\r`, otherwise `\u{202E}`, as tables show
    /// them), so an answer never echoes a huge key or a character refused in values.
    static func shownKey(_ key: String) -> String {
        if key.utf8.count <= maximumShownKeyScalars, key.utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) {
            return key
        }
        var shown = ""
        for (index, scalar) in key.unicodeScalars.enumerated() {
            guard index < maximumShownKeyScalars else {
                shown += "…"
                break
            }
            switch scalar {
            case "\n": shown += "\\n"
            case "\t": shown += "\\t"
            case "\r": shown += "\\r"
            case _ where isForbidden(scalar):
                shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// The most combining marks (scalars of a nonzero canonical combining class) a text may hold in a
    /// row: the bound of Unicode's Stream-Safe Text Format (UAX #15). Normalising a longer run costs
    /// time quadratic in its length (an outside audit kept `apply` busy for minutes with one line of
    /// marks out of canonical order); no language needs more than a few.
    static let maximumCombiningRun = 30

    /// Whether `scalars` hold more than ``maximumCombiningRun`` combining marks in a row.
    static func exceedsCombiningRun(_ scalars: some Sequence<Unicode.Scalar>) -> Bool {
        var run = 0
        for scalar in scalars {
            // Below U+0300, and in the CJK and Hangul blocks, every scalar is a starter.
            let value = scalar.value
            if value < 0x300 || (0x3400...0x9FFF).contains(value) || (0xAC00...0xD7A3).contains(value)
                || scalar.properties.canonicalCombiningClass.rawValue == 0
            {
                run = 0
                continue
            }
            run += 1
            if run > maximumCombiningRun { return true }
        }
        return false
    }

    /// ``exceedsCombiningRun(_:)`` of valid UTF-8 bytes, decoded in place.
    static func exceedsCombiningRun(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var run = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            // One- and two-byte scalars below U+0300 (lead bytes below 0xCC) are starters.
            if lead < 0xCC {
                run = 0
                index += lead < 0x80 ? 1 : 2
                continue
            }
            let value = multiByteScalar(bytes, at: &index)
            if (0x3400...0x9FFF).contains(value) || (0xAC00...0xD7A3).contains(value) {
                run = 0
                continue
            }
            guard let scalar = Unicode.Scalar(value), scalar.properties.canonicalCombiningClass.rawValue != 0 else {
                run = 0
                continue
            }
            run += 1
            if run > maximumCombiningRun { return true }
        }
        return false
    }

    /// A printable description of a refused scalar for error messages (`U+001B`).
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
