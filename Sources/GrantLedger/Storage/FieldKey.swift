// AES-256-GCM through the BoringSSL that swift-crypto builds (its `CCryptoBoringSSL` module): see
// docs/decisions.md, "Sealed fields through BoringSSL's AEAD interface".
internal import CCryptoBoringSSL
internal import GrantWorkflow

/// One subject's AES-256-GCM data key (R-LOG-6), held inline: no allocation, no reference counting.
///
/// The boxes are exactly swift-crypto's `AES.GCM.SealedBox.combined` layout (12-byte nonce, ciphertext,
/// 16-byte tag) with the subject id as additional data: BoringSSL's `EVP_aead_aes_256_gcm` is what
/// swift-crypto's `AES.GCM` calls on Linux. Each seal or open sets up a BoringSSL context on the stack
/// for the call; going to BoringSSL directly drops swift-crypto's per-call heap context and `Data`
/// copies (CryptoBenchmarks). A replay meets most subjects in one or two fields, so a kept context per
/// subject (a heap object, freed when the keyring's cache drops it) cost more than it saved.
struct FieldKey: Sendable {
    static let keyByteCount = 32
    static let nonceByteCount = 12
    static let tagByteCount = 16

    private var key: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The key of 32 bytes; nil for any other length.
    init?(_ key: [UInt8]) { self.init(key[...]) }

    /// The key of 32 bytes (a slice of a stored record); nil for any other length.
    init?(_ key: ArraySlice<UInt8>) {
        guard key.count == Self.keyByteCount else { return nil }
        withUnsafeMutableBytes(of: &self.key) { target in
            key.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
    }

    /// The key of 32 bytes read in place (from a stored record); nil for any other length.
    init?(_ key: UnsafeRawBufferPointer) {
        guard key.count == Self.keyByteCount else { return nil }
        withUnsafeMutableBytes(of: &self.key) { target in target.copyMemory(from: key) }
    }

    /// Runs `body` with a BoringSSL AES-256-GCM context for this key; nil when BoringSSL refuses it
    /// or `body` gives nil.
    /// The context (the key schedule) and the key's copy are wiped afterwards: BoringSSL's AES-GCM
    /// cleanup wipes nothing.
    /// The context's stack memory is left uninitialised: `EVP_AEAD_CTX_init` sets every field it
    /// reads, and BoringSSL documents zeroing first as unnecessary (a saving too small to measure
    /// alone; `memset` was 1 % of verify's samples).
    private func withContext<R>(_ body: (UnsafePointer<EVP_AEAD_CTX>) -> R?) -> R? {
        var key = key
        defer { withUnsafeMutableBytes(of: &key) { CCryptoBoringSSL_OPENSSL_cleanse($0.baseAddress, $0.count) } }
        return withUnsafeTemporaryAllocation(of: EVP_AEAD_CTX.self, capacity: 1) { buffer in
            guard let context = buffer.baseAddress else { return nil }
            defer { CCryptoBoringSSL_OPENSSL_cleanse(context, MemoryLayout<EVP_AEAD_CTX>.size) }
            let made = withUnsafeBytes(of: &key) { bytes in
                CCryptoBoringSSL_EVP_AEAD_CTX_init(
                    context, CCryptoBoringSSL_EVP_aead_aes_256_gcm(), bytes.baseAddress, bytes.count,
                    Self.tagByteCount, nil)
            }
            guard made == 1 else { return nil }
            defer { CCryptoBoringSSL_EVP_AEAD_CTX_cleanup(context) }
            return body(context)
        }
    }

    /// The box of `plaintext` under `nonce` (12 bytes), authenticating `subject`: nonce, ciphertext and
    /// tag; nil when BoringSSL fails (a nonce of another length).
    func seal(_ plaintext: [UInt8], nonce: [UInt8], subject: [UInt8]) -> [UInt8]? {
        guard nonce.count == Self.nonceByteCount else { return nil }
        let capacity = Self.nonceByteCount + plaintext.count + Self.tagByteCount
        return withContext { context -> [UInt8]? in
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
    }

    /// The plaintext of `box` (nonce, ciphertext, tag) sealed for `subject`; nil when the box is too
    /// short or does not authenticate.
    func open(_ box: [UInt8], subject: [UInt8]) -> [UInt8]? {
        box.withUnsafeBufferPointer { box in
            subject.withUnsafeBufferPointer { subject in open(box: box, subject: subject) }
        }
    }

    /// ``open(_:subject:)`` of a box and subject read in place.
    func open(box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let sealedCount = box.count - Self.nonceByteCount
        guard sealedCount >= Self.tagByteCount else { return nil }
        var opened = false
        let plaintext = [UInt8](unsafeUninitializedCapacity: sealedCount) { buffer, count in
            let written = open(box: box, subject: subject, into: buffer)
            opened = written != nil
            count = written ?? 0
        }
        return opened ? plaintext : nil
    }

    /// ``open(box:subject:)`` into scratch memory that lives for the call: `body` gets the plaintext;
    /// false (and no call) when the box is too short or does not authenticate.
    func open(
        box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>,
        reading body: (UnsafeBufferPointer<UInt8>) throws(BinaryDecodingError) -> Void
    ) throws(BinaryDecodingError) -> Bool {
        let sealedCount = box.count - Self.nonceByteCount
        guard sealedCount >= Self.tagByteCount else { return false }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: sealedCount) {
            (buffer) throws(BinaryDecodingError) -> Bool in
            guard let written = open(box: box, subject: subject, into: buffer) else { return false }
            defer { CCryptoBoringSSL_OPENSSL_cleanse(buffer.baseAddress, sealedCount) }
            try body(UnsafeBufferPointer(rebasing: buffer[..<written]))
            return true
        }
    }

    /// Opens `box` into `buffer` (at least the box's length less the nonce); the plaintext's length,
    /// or nil when the box is too short or does not authenticate.
    private func open(
        box: UnsafeBufferPointer<UInt8>, subject: UnsafeBufferPointer<UInt8>,
        into buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int? {
        let sealedCount = box.count - Self.nonceByteCount
        guard sealedCount >= Self.tagByteCount, buffer.count >= sealedCount, let input = box.baseAddress else {
            return nil
        }
        return withContext { context -> Int? in
            var written = 0
            let result = CCryptoBoringSSL_EVP_AEAD_CTX_open(
                context, buffer.baseAddress, &written, sealedCount, input, Self.nonceByteCount,
                input + Self.nonceByteCount, sealedCount, subject.baseAddress, subject.count)
            return result == 1 ? written : nil
        }
    }
}
