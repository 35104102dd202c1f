/// JSON values as the demo writes them into command lines: ordered members, rendered straight to
/// text (a 20,000-project plan writes over a million values, so no dictionaries and no per-scalar
/// appends for strings that need no escaping).
indirect enum DemoJSON {
    case string(String)
    case number(String)
    case bool(Bool)
    case array([DemoJSON])
    case object([(String, DemoJSON)])

    static func int<T: BinaryInteger>(_ value: T) -> DemoJSON { .number(String(value)) }

    static func strings(_ values: [String]) -> DemoJSON { .array(values.map { .string($0) }) }

    /// Compact JSON text.
    var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .string(let value): Self.write(string: value, to: &out)
        case .number(let value): out += value
        case .bool(let value): out += value ? "true" : "false"
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                Self.write(string: member.0, to: &out)
                out += ":"
                member.1.write(to: &out)
            }
            out += "}"
        }
    }

    /// A string literal: the text as is when nothing needs escaping, else escaped scalar by scalar.
    static func write(string: String, to out: inout String) {
        let plain = string.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        out += "\""
        if plain {
            out += string
        } else {
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }
}
