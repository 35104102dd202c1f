import Crypto
import CryptoExtras

/// The pure password and token functions the engine calls outside its write transaction (R-ACC-6, R-ACC-7).
///
/// PBKDF2-SHA256 costs tens of milliseconds at production iteration counts, so the engine computes
/// hashes and verifications before it enters the single-writer transaction and hands the results
/// to `decide` through ``PreparedSecrets``.
public enum PasswordHasher {
    /// Length of the derived key in bytes.
    public static let keyLength = 32

    /// Derives the PBKDF2-SHA256 hash of `password` with `salt` and `iterations`.
    ///
    /// Iteration counts below the policy minimum are allowed here (tests use low ones); the policy
    /// decides what production uses. Returns nil only if the crypto library refuses the parameters.
    public static func hash(password: String, salt: [UInt8], iterations: Int) -> PasswordHash? {
        guard iterations >= 1, !salt.isEmpty else { return nil }
        let key: SymmetricKey
        do {
            key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: keyLength,
                unsafeUncheckedRounds: iterations)
        } catch {
            return nil
        }
        let bytes = key.withUnsafeBytes { Array($0) }
        return PasswordHash(salt: salt, iterations: iterations, hash: bytes)
    }

    /// Whether `password` matches `stored`, compared in constant time.
    public static func verify(password: String, against stored: PasswordHash) -> Bool {
        guard let candidate = hash(password: password, salt: stored.salt, iterations: stored.iterations),
            candidate.hash.count == stored.hash.count
        else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(candidate.hash, stored.hash) { difference |= left ^ right }
        return difference == 0
    }

    /// Lower-case hex SHA-256 of a reset token: the only form in which a token is stored.
    public static func tokenDigest(_ token: String) -> String {
        hex(Array(SHA256.hash(data: Array(token.utf8))))
    }

    /// Lower-case hex SHA-256 of content: an attachment's address (R-ATT-1).
    public static func contentDigest(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    /// Encodes random bytes (32 are plenty) as a reset token: lower-case hex.
    public static func token(fromRandomBytes bytes: [UInt8]) -> String {
        hex(bytes)
    }

    /// Lower-case hexadecimal of bytes: the one encoder for digests, tokens and generated ids.
    public static func hex(_ bytes: [UInt8]) -> String {
        // Hot in index keys (keyed hashes as components): no generic walk, one allocation.
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = hexDigit(byte >> 4)
                out[2 * index + 1] = hexDigit(byte & 0x0F)
            }
            return bytes.count * 2
        }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }

    /// Lower-case hexadecimal digits of any byte sequence.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
