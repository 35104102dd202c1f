import Crypto
import Foundation
import Testing

@testable import GrantLedger

/// Read-model keys: components joined by a 0 byte; a component that holds a 0 or 1 byte, or is longer
/// than 160 bytes, is stored as 1 and the hex SHA-256 of its bytes, so keys never run into each other.
@Suite("Read-model keys")
struct ModelKeyTests {
    /// The key built the slow way: the layout written out.
    static func expected(_ table: ModelKey.Table, _ components: [String]) -> [UInt8] {
        var key = Array(table.rawValue.utf8)
        for component in components {
            key.append(0)
            let bytes = Array(component.utf8)
            if bytes.count <= 160 && !bytes.contains(0) && !bytes.contains(1) {
                key += bytes
            } else {
                key.append(1)
                key += Array(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined().utf8)
            }
        }
        return key
    }

    @Test("plain, long, control-byte and non-ASCII components, as the layout says")
    func layout() {
        let cases: [[String]] = [
            [],
            ["24BZX001"],
            ["P1", "L1"],
            ["a\u{0}b"],
            ["\u{1}"],
            ["\u{2}\u{7F}"],
            [String(repeating: "x", count: 160)],
            [String(repeating: "x", count: 161)],
            [String(repeating: "国", count: 53)],  // 159 bytes
            [String(repeating: "国", count: 54)],  // 162 bytes
            ["中国人民大学", "", "unit:U001"],
            [String(decoding: [0x61, 0x62], as: UTF8.self) + "\u{0}", "ok"],
        ]
        for components in cases {
            #expect(ModelKey.make(.project, components) == Self.expected(.project, components), "\(components)")
        }
        // A bridged or substring-made string takes the same path as a native one.
        let sliced = String("xx24BZX001".dropFirst(2))
        #expect(ModelKey.make(.project, sliced) == Self.expected(.project, ["24BZX001"]))
    }
}
