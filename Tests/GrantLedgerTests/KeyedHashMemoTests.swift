import Crypto
import Dispatch
import Foundation
import Testing

@testable import GrantLedger
@testable import GrantWorkflow

/// The keyed hashes a command's preparation computes off the writer thread (R-LOG-6) must be the
/// ones the writer would have computed itself: the subject lookup and the leader index.
@Suite("Keyed hashes prepared before the transaction")
struct KeyedHashMemoTests {
    static let line =
        #"{"type":"registerProject","actor":"N0","projectNo":"25BZX1","title":"中国哲学史研究","category":"general","discipline":"哲学","unitId":"U1","leader":{"name":"张三","idType":"residentId","idNumber":"11010819800101001x"},"members":[{"name":"李四","idType":"passport","idNumber":"e 1234567","unit":"北京大学","title":"副教授","role":"成员"},{"name":"王五","idType":"passport","idNumber":"E1234567","unit":"北京大学","title":"讲师","role":"成员"}],"approvedOn":"2024-06-01","plannedEndDate":"2027-12-31","deliverableForm":"monograph","budget":{"direct":{"equipment":100000,"business":300000,"labor":100000},"indirect":100000,"external":[]}}"#

    @Test func preparedHashesEqualTheOnesComputedOnTheWriter() throws {
        let plain = LookupHasher(secret: Array(0..<32))
        let command = try CommandDecoder.decode(line: Array(Self.line.utf8)).command
        let memo = try #require(plain.memo(of: command))
        let numbers = ["11010819800101001x", "e 1234567", "E1234567"]
        #expect(Set(memo.person.keys) == Set(numbers))
        #expect(Set(memo.idNumber.keys) == ["11010819800101001x"], "the leader index is the leader's only")
        let prepared = plain.using(memo)
        for number in numbers {
            #expect(memo.person[number] == plain.person(number))
            #expect(prepared.person(number) == plain.person(number))
            #expect(prepared.leader(number) == plain.leader(number))
            #expect(prepared.leader(number) == plain.component("idNumber", IdentityNumber.normalized(number)))
        }
        // Spellings of one number hash alike; a number the memo lacks is hashed as before.
        #expect(prepared.person("e 1234567") == prepared.person("E1234567"))
        #expect(prepared.person("110108198001010015") == plain.person("110108198001010015"))
        #expect(prepared.leader("110108198001010015") == plain.leader("110108198001010015"))
        // Another secret gives other hashes: the memo is not a fixed table.
        let other = LookupHasher(secret: Array(repeating: 7, count: 32))
        #expect(other.memo(of: command)?.person["E1234567"] != memo.person["E1234567"])
        // Commands without ID numbers prepare nothing.
        let province = try CommandDecoder.decode(
            line: Array(#"{"type":"createProvince","actor":"N0","provinceId":"P1","name":"北京市"}"#.utf8)
        ).command
        #expect(plain.memo(of: province) == nil)
    }

    /// The lookup hashes are stored as keys (`subjects`, the leader index): BoringSSL's HMAC must give
    /// exactly swift-crypto's `HMAC<SHA256>` of `domain ‖ 0x00 ‖ value`, which wrote every store so far.
    @Test func keyedHashesAreSwiftCryptosHMAC() {
        var seed: UInt64 = 12_345
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 33
        }
        let pieces = [
            "", "person", "idNumber", "account", "110108198001010015", "中国", "x", String(repeating: "长", count: 40),
        ]
        for round in 0..<300 {
            let secret = (0..<32).map { _ in UInt8(truncatingIfNeeded: next()) }
            let hasher = LookupHasher(secret: secret)
            let domain = pieces[Int(next() % UInt64(pieces.count))]
            let value = pieces[Int(next() % UInt64(pieces.count))] + String(round)
            var message = Array(domain.utf8)
            message.append(0)
            message.append(contentsOf: value.utf8)
            let reference = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
            #expect(hasher.bytes(domain, value) == Array(reference), "\(domain) / \(value)")
        }
        // Several threads at once on one hasher.
        let hasher = LookupHasher(secret: Array(0..<32))
        let expected = (0..<50).map { hasher.bytes("person", "E\($0)") }
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for round in 0..<200 {
                let index = round % 50
                #expect(hasher.bytes("person", "E\(index)") == expected[index])
            }
        }
    }

    @Test("a keyed hash's key component is its first 16 bytes in unpadded base64url")
    func componentIsShortBase64url() {
        var generator = SystemRandomNumberGenerator()
        let hashes: [[UInt8]] =
            [Array(repeating: 0, count: 32), Array(repeating: 0xFF, count: 32), Array(0..<32)]
            + (0..<200).map { _ in (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        for hash in hashes {
            let expected = Data(hash.prefix(16)).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(LookupHasher.component(of: hash) == expected)
            #expect(LookupHasher.component(of: hash).utf8.count == 22)
        }
        // Hashes that differ only after their 16th byte share a component; the first 16 decide.
        #expect(LookupHasher.component(of: Array(0..<32)) == LookupHasher.component(of: Array(0..<16) + [9, 9]))
        #expect(LookupHasher.component(of: Array(0..<32)) != LookupHasher.component(of: [1] + Array(1..<32)))
        let hasher = LookupHasher(secret: Array(0..<32))
        #expect(
            hasher.component("idNumber", "110108198001010015")
                == LookupHasher.component(of: hasher.bytes("idNumber", "110108198001010015")))
        #expect(hasher.component("idNumber", PersonalData.erasedText(subject: Array(repeating: 1, count: 16))) == nil)
    }
}
