// AES-256-GCM through the BoringSSL that swift-crypto builds (its `CCryptoBoringSSL` module), with the
// key schedule kept: see docs/decisions.md, "Sealed fields through BoringSSL's AEAD interface".
internal import CCryptoBoringSSL

/// One subject's AES-256-GCM data key, its BoringSSL AEAD context initialised once (R-LOG-6).
///
/// The boxes are exactly swift-crypto's `AES.GCM.SealedBox.combined` layout (12-byte nonce, ciphertext,
/// 16-byte tag) with the subject id as additional data: BoringSSL's `EVP_aead_aes_256_gcm` is what
/// swift-crypto's `AES.GCM` calls on Linux. Going to it directly drops swift-crypto's per-call
/// context set-up and `Data` copies: opening an 18-byte field costs about a fifth (CryptoBenchmarks).
/// BoringSSL allows seal and open on one context from several threads at once.
final class FieldKey: @unchecked Sendable {
    static let keyByteCount = 32
    static let nonceByteCount = 12
    static let tagByteCount = 16

    private let context: UnsafeMutablePointer<EVP_AEAD_CTX>

    /// A context for a 32-byte key; nil for any other length (or when BoringSSL refuses it).
    convenience init?(_ key: [UInt8]) { self.init(key[...]) }

    /// A context for a 32-byte key (a slice of a stored record); nil for any other length.
    init?(_ key: ArraySlice<UInt8>) {
        guard key.count == Self.keyByteCount,
            let made = key.withUnsafeBufferPointer({ bytes in
                CCryptoBoringSSL_EVP_AEAD_CTX_new(
                    CCryptoBoringSSL_EVP_aead_aes_256_gcm(), bytes.baseAddress, bytes.count, Self.tagByteCount)
            })
        else { return nil }
        context = made
    }

    deinit { CCryptoBoringSSL_EVP_AEAD_CTX_free(context) }

    /// The box of `plaintext` under `nonce` (12 bytes), authenticating `subject`: nonce, ciphertext and
    /// tag; nil when BoringSSL fails (a nonce of another length).
    func seal(_ plaintext: [UInt8], nonce: [UInt8], subject: [UInt8]) -> [UInt8]? {
        guard nonce.count == Self.nonceByteCount else { return nil }
        let capacity = Self.nonceByteCount + plaintext.count + Self.tagByteCount
        var written = 0
        let box = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            for index in 0..<Self.nonceByteCount { (base + index).initialize(to: nonce[index]) }
            let sealed = plaintext.withUnsafeBufferPointer { input in
                subject.withUnsafeBufferPointer { extra in
                    CCryptoBoringSSL_EVP_AEAD_CTX_seal(
                        context, base + Self.nonceByteCount, &written, capacity - Self.nonceByteCount,
                        base, Self.nonceByteCount, input.baseAddress, input.count, extra.baseAddress, extra.count)
                }
            }
            count = sealed == 1 ? Self.nonceByteCount + written : Self.nonceByteCount
        }
        return box.count == capacity ? box : nil
    }

    /// The plaintext of `box` (nonce, ciphertext, tag) sealed for `subject`; nil when the box is too
    /// short or does not authenticate.
    func open(_ box: [UInt8], subject: [UInt8]) -> [UInt8]? {
        let sealedCount = box.count - Self.nonceByteCount
        guard sealedCount >= Self.tagByteCount else { return nil }
        var written = 0
        var opened = false
        let plaintext = [UInt8](unsafeUninitializedCapacity: sealedCount) { buffer, count in
            let result = box.withUnsafeBufferPointer { input in
                subject.withUnsafeBufferPointer { extra in
                    CCryptoBoringSSL_EVP_AEAD_CTX_open(
                        context, buffer.baseAddress, &written, sealedCount,
                        input.baseAddress, Self.nonceByteCount, input.baseAddress! + Self.nonceByteCount, sealedCount,
                        extra.baseAddress, extra.count)
                }
            }
            opened = result == 1
            count = opened ? written : 0
        }
        return opened ? plaintext : nil
    }
}
