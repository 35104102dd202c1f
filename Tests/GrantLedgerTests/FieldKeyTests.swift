import Crypto
import Foundation
import GrantWorkflow
import Testing

@testable import GrantLedger

/// Sealed personal fields go through BoringSSL's AEAD interface directly (``FieldKey``); the boxes
/// must stay exactly swift-crypto's `AES.GCM` boxes, so every store sealed before still opens, and
/// nothing that was altered may open.
@Suite("Field keys: AES-256-GCM through BoringSSL's AEAD interface")
struct FieldKeyTests {
    static let keyBytes: [UInt8] = (0..<32).map { UInt8($0 &* 7 &+ 3) }
    static let subject: [UInt8] = (0..<16).map { UInt8(0xA0 + $0) }
    static let plaintexts: [[UInt8]] = [
        [], Array("110108198001010015".utf8), Array("13800138000".utf8), Array(repeating: 0xE4, count: 300),
    ]

    @Test func boxesAreSwiftCryptosBoxes() throws {
        let key = try #require(FieldKey(Self.keyBytes))
        let swiftKey = SymmetricKey(data: Self.keyBytes)
        for (index, plaintext) in Self.plaintexts.enumerated() {
            let nonce = (0..<12).map { UInt8($0 + index) }
            let box = try #require(key.seal(plaintext, nonce: nonce, subject: Self.subject))
            let reference = try AES.GCM.seal(
                plaintext, using: swiftKey, nonce: AES.GCM.Nonce(data: nonce), authenticating: Self.subject)
            #expect(box == Array(try #require(reference.combined)), "same bytes as swift-crypto's box")
            // Each opens the other's.
            #expect(key.open(Array(try #require(reference.combined)), subject: Self.subject) == plaintext)
            let opened = try AES.GCM.open(
                AES.GCM.SealedBox(combined: box), using: swiftKey, authenticating: Self.subject)
            #expect(Array(opened) == plaintext)
        }
    }

    @Test func nothingAlteredOpens() throws {
        let key = try #require(FieldKey(Self.keyBytes))
        let plaintext = Array("110108198001010015".utf8)
        let box = try #require(key.seal(plaintext, nonce: Array(repeating: 9, count: 12), subject: Self.subject))
        #expect(box.count == 12 + plaintext.count + 16)
        #expect(key.open(box, subject: Self.subject) == plaintext)
        for index in box.indices {
            for bit in [0, 7] {
                var altered = box
                altered[index] ^= 1 << bit
                #expect(key.open(altered, subject: Self.subject) == nil, "byte \(index), bit \(bit)")
            }
        }
        for length in 0..<box.count {
            #expect(key.open(Array(box.prefix(length)), subject: Self.subject) == nil, "cut to \(length) bytes")
        }
        #expect(key.open(box + [0], subject: Self.subject) == nil, "a byte too many")
        var otherSubject = Self.subject
        otherSubject[15] ^= 1
        #expect(key.open(box, subject: otherSubject) == nil, "bound to its subject")
        var otherKey = Self.keyBytes
        otherKey[0] ^= 1
        #expect(try #require(FieldKey(otherKey)).open(box, subject: Self.subject) == nil, "bound to its key")
    }

    /// The decoder's path opens into scratch memory: the same plaintext, and nothing for a box that
    /// does not authenticate (its body is never called).
    @Test func opensIntoScratchMemory() throws {
        let key = try #require(FieldKey(Self.keyBytes))
        func scratch(_ box: [UInt8], subject: [UInt8] = Self.subject) throws -> [UInt8]? {
            var seen: [UInt8]?
            let opened = try box.withUnsafeBufferPointer { box in
                try subject.withUnsafeBufferPointer { subject in
                    try key.open(box: box, subject: subject) { plaintext in seen = Array(plaintext) }
                }
            }
            #expect(opened == (seen != nil))
            return seen
        }
        for (index, plaintext) in Self.plaintexts.enumerated() {
            let box = try #require(
                key.seal(plaintext, nonce: (0..<12).map { UInt8($0 ^ index) }, subject: Self.subject))
            #expect(try scratch(box) == plaintext)
            var altered = box
            altered[altered.count - 1] ^= 1
            #expect(try scratch(altered) == nil)
            #expect(try scratch(Array(box.prefix(27))) == nil, "shorter than a nonce and a tag")
            var otherSubject = Self.subject
            otherSubject[0] ^= 1
            #expect(try scratch(box, subject: otherSubject) == nil)
        }
        // An error thrown by the body comes out unchanged.
        let box = try #require(key.seal([1, 2, 3], nonce: Array(repeating: 1, count: 12), subject: Self.subject))
        #expect(throws: BinaryDecodingError("stop")) {
            try box.withUnsafeBufferPointer { box in
                try Self.subject.withUnsafeBufferPointer { subject in
                    try key.open(box: box, subject: subject) { (_) throws(BinaryDecodingError) in
                        throw BinaryDecodingError("stop")
                    }
                }
            }
        }
    }

    @Test func refusesWrongSizes() throws {
        #expect(FieldKey(Array(Self.keyBytes.prefix(16))) == nil)
        #expect(FieldKey(Self.keyBytes + [0]) == nil)
        let key = try #require(FieldKey(Self.keyBytes))
        #expect(key.seal([1, 2, 3], nonce: Array(repeating: 0, count: 11), subject: Self.subject) == nil)
        #expect(key.seal([1, 2, 3], nonce: Array(repeating: 0, count: 13), subject: Self.subject) == nil)
    }

    /// A key is `Sendable`: several threads may open with it at once, as BoringSSL allows.
    @Test func opensFromSeveralThreads() async throws {
        let key = try #require(FieldKey(Self.keyBytes))
        let boxes = try (0..<64).map { index in
            try #require(
                key.seal(Array("field \(index)".utf8), nonce: (0..<12).map { UInt8($0 ^ index) }, subject: Self.subject)
            )
        }
        let failures = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var failed = 0
                    for _ in 0..<200 {
                        for (index, box) in boxes.enumerated()
                        where key.open(box, subject: Self.subject) != Array("field \(index)".utf8) {
                            failed += 1
                        }
                    }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
