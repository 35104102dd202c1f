// HMAC-SHA256 through the BoringSSL that swift-crypto builds (its `CCryptoBoringSSL` module): see
// docs/decisions.md, "Sealed fields through BoringSSL's AEAD interface".
internal import CCryptoBoringSSL

/// HMAC-SHA256 under a fixed key (the store secret of the lookup hashes, R-LOG-6), through BoringSSL's
/// `HMAC_CTX`: the key is absorbed once into a template, and each code starts from a copy of it on the
/// stack. Byte for byte the HMAC-SHA256 of swift-crypto's `HMAC<SHA256>` (`KeyedHashMemoTests`), about
/// a quarter of its cost per code (CryptoBenchmarks: 0.18 µs against 0.70 µs), whose copies of a keyed
/// `HMAC` go through heap digest contexts. The template is only read: codes may be made on any thread.
final class KeyedHMAC: @unchecked Sendable {
    private let template: UnsafeMutablePointer<HMAC_CTX>

    init(key: [UInt8]) {
        template = .allocate(capacity: 1)
        CCryptoBoringSSL_HMAC_CTX_init(template)
        let made = key.withUnsafeBufferPointer { key in
            CCryptoBoringSSL_HMAC_Init_ex(template, key.baseAddress, key.count, CCryptoBoringSSL_EVP_sha256(), nil)
        }
        // Only an allocation failure makes BoringSSL refuse a SHA-256 HMAC key.
        precondition(made == 1, "BoringSSL could not set up HMAC-SHA256")
    }

    deinit {
        CCryptoBoringSSL_HMAC_CTX_cleanse(template)
        template.deallocate()
    }

    /// The 32-byte code of `domain`, a zero byte and `value`.
    func code(_ domain: String, _ value: String) -> [UInt8] {
        var domain = domain
        var value = value
        var context = HMAC_CTX()
        return withUnsafeMutablePointer(to: &context) { context in
            CCryptoBoringSSL_HMAC_CTX_init(context)
            defer { CCryptoBoringSSL_HMAC_CTX_cleanse(context) }
            // Only an allocation failure makes the copy fail.
            precondition(CCryptoBoringSSL_HMAC_CTX_copy_ex(context, template) == 1, "BoringSSL could not copy HMAC")
            domain.withUTF8 { _ = CCryptoBoringSSL_HMAC_Update(context, $0.baseAddress, $0.count) }
            var separator: UInt8 = 0
            _ = CCryptoBoringSSL_HMAC_Update(context, &separator, 1)
            value.withUTF8 { _ = CCryptoBoringSSL_HMAC_Update(context, $0.baseAddress, $0.count) }
            return [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
                var length: UInt32 = 0
                let finished = CCryptoBoringSSL_HMAC_Final(context, buffer.baseAddress, &length)
                count = finished == 1 ? Int(length) : 0
            }
        }
    }
}
