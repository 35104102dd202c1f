@testable import GrantWorkflow

/// A stand-in for the engine's subject keys in pure workflow tests: a stable 16-byte subject per
/// person or account, and a reversible scrambling instead of AES-GCM (the engine's own tests use the
/// real keys). ``erase(_:)`` makes a subject's fields read back as erased.
final class TestKeys: PersonalFieldSealer, PersonalFieldOpener, @unchecked Sendable {
    static let shared = TestKeys()
    private var erased: Set<[UInt8]> = []

    func subject(_ ref: SubjectRef) -> [UInt8] {
        let identity: String
        switch ref {
        case .person(let idNumber, _): identity = "p:" + IdentityNumber.normalized(idNumber)
        case .account(let id), .ownAccount(let id): identity = "a:" + id
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in identity.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let bytes = withUnsafeBytes(of: hash.bigEndian) { Array($0) }
        return bytes + bytes.reversed()
    }

    func erase(_ ref: SubjectRef) { erased.insert(subject(ref)) }

    func seal(_ plaintext: [UInt8], for subject: SubjectRef) -> (subject: [UInt8], box: [UInt8]) {
        (self.subject(subject), plaintext.map { $0 ^ 0x5A })
    }

    func open(_ box: [UInt8], subject: [UInt8]) throws(BinaryDecodingError) -> [UInt8]? {
        erased.contains(subject) ? nil : box.map { $0 ^ 0x5A }
    }
}

extension DomainEvent {
    /// The payload sealed with ``TestKeys/shared``.
    var testPayload: [UInt8] { payload(sealer: TestKeys.shared) }
}
