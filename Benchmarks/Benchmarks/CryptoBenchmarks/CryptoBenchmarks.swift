// The cost of one sealed personal field (R-LOG-6, issue 9), per operation, through swift-crypto's
// `AES.GCM` (as the engine called it until round 9) and through BoringSSL's AEAD interface (as it
// calls it since, `FieldKey`): AES-256-GCM open and seal of an 18-byte ID number bound to a 16-byte subject
// id, and the pre-keyed HMAC-SHA256 lookup hash. Sets the floor under the sealing budget: a
// rebuild opens every sealed field of the log once, a registration seals one per person. Also the
// SHA-256 link of the hash chain (R-LOG-2) for a 400-byte event, the floor under the event log's
// batched appends.
import Benchmark
import CCryptoBoringSSL
import Crypto
import Foundation

let key = SymmetricKey(size: .bits256)
let subject = [UInt8](repeating: 7, count: 16)
let idNumber = Array("110108198001010015".utf8)
let boxes: [[UInt8]] = (0..<1_024).map { _ in
    Array(try! AES.GCM.seal(idNumber, using: key, authenticating: subject).combined!)
}
let keyed = HMAC<SHA256>(key: SymmetricKey(data: [UInt8](repeating: 9, count: 32)))
let lookupMessage = Array("person\u{0}110108198001010015".utf8)
let rawKey = key.withUnsafeBytes { [UInt8]($0) }

/// Opens a combined box (nonce, ciphertext, tag) as `FieldKey.open` does.
func open(_ box: [UInt8], with context: UnsafeMutablePointer<EVP_AEAD_CTX>) -> [UInt8] {
    var written = 0
    return [UInt8](unsafeUninitializedCapacity: box.count - 12) { buffer, count in
        let result = box.withUnsafeBufferPointer { input in
            CCryptoBoringSSL_EVP_AEAD_CTX_open(
                context, buffer.baseAddress, &written, box.count - 12, input.baseAddress, 12,
                input.baseAddress! + 12, box.count - 12, subject, subject.count)
        }
        precondition(result == 1)
        count = written
    }
}

/// A 400-byte payload's record: the previous digest and about 480 canonical bytes (R-LOG-2's link).
let chainInput = [UInt8](repeating: 0x5A, count: 32 + 480)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput], timeUnits: .nanoseconds, maxDuration: .seconds(2), maxIterations: 1_000_000)

    Benchmark("AES-256-GCM open, 18-byte field (swift-crypto)", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        for index in benchmark.scaledIterations {
            let box = try AES.GCM.SealedBox(combined: boxes[index & 1_023])
            blackHole(Array(try AES.GCM.open(box, using: key, authenticating: subject)))
        }
    }

    // As the engine opens and seals since round 9 (`FieldKey`, a context on the stack per field):
    // BoringSSL's AEAD interface, which swift-crypto's `AES.GCM` calls inside, without its per-call
    // heap context and `Data` copies; and with a context kept, for comparison.
    Benchmark(
        "AES-256-GCM open, 18-byte field (BoringSSL AEAD, context on the stack per field)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        for index in benchmark.scaledIterations {
            var context = EVP_AEAD_CTX()
            withUnsafeMutablePointer(to: &context) { context in
                _ = CCryptoBoringSSL_EVP_AEAD_CTX_init(
                    context, CCryptoBoringSSL_EVP_aead_aes_256_gcm(), rawKey, 32, 16, nil)
                blackHole(open(boxes[index & 1_023], with: context))
                CCryptoBoringSSL_EVP_AEAD_CTX_cleanup(context)
            }
        }
    }

    Benchmark(
        "AES-256-GCM open, 18-byte field (BoringSSL AEAD, context kept)", configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        let context = CCryptoBoringSSL_EVP_AEAD_CTX_new(CCryptoBoringSSL_EVP_aead_aes_256_gcm(), rawKey, 32, 16)!
        for index in benchmark.scaledIterations { blackHole(open(boxes[index & 1_023], with: context)) }
        CCryptoBoringSSL_EVP_AEAD_CTX_free(context)
    }

    Benchmark(
        "AES-256-GCM seal, 18-byte field, nonce given (BoringSSL AEAD, context kept)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        let context = CCryptoBoringSSL_EVP_AEAD_CTX_new(CCryptoBoringSSL_EVP_aead_aes_256_gcm(), rawKey, 32, 16)!
        let nonce = [UInt8](repeating: 1, count: 12)
        for _ in benchmark.scaledIterations {
            var written = 0
            let box = [UInt8](unsafeUninitializedCapacity: 12 + idNumber.count + 16) { buffer, count in
                for index in 0..<12 { buffer[index] = nonce[index] }
                _ = CCryptoBoringSSL_EVP_AEAD_CTX_seal(
                    context, buffer.baseAddress! + 12, &written, idNumber.count + 16, nonce, 12, idNumber,
                    idNumber.count, subject, subject.count)
                count = 12 + written
            }
            blackHole(box)
        }
        CCryptoBoringSSL_EVP_AEAD_CTX_free(context)
    }

    Benchmark("AES-256-GCM seal, 18-byte field, nonce given", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        let nonce = try AES.GCM.Nonce(data: [UInt8](repeating: 1, count: 12))
        for _ in benchmark.scaledIterations {
            blackHole(Array(try AES.GCM.seal(idNumber, using: key, nonce: nonce, authenticating: subject).combined!))
        }
    }

    Benchmark("SHA-256 chain link of a 400-byte event's record", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        for _ in benchmark.scaledIterations {
            var hasher = SHA256()
            chainInput.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            blackHole(hasher.finalize())
        }
    }

    // The lookup hash as the engine makes it since round 9 (`KeyedHMAC`: a copy of a keyed template
    // on the stack), and with one context reused (a context per thread), for comparison.
    Benchmark(
        "HMAC-SHA256 lookup hash (BoringSSL HMAC_CTX reused, key kept)", configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        withKeyedHMAC { context in
            var out = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            for _ in benchmark.scaledIterations {
                _ = CCryptoBoringSSL_HMAC_Init_ex(&context, nil, 0, nil, nil)
                _ = CCryptoBoringSSL_HMAC_Update(&context, lookupMessage, lookupMessage.count)
                _ = CCryptoBoringSSL_HMAC_Final(&context, &out, &length)
                blackHole(Array(out))
            }
        }
    }

    Benchmark(
        "HMAC-SHA256 lookup hash (BoringSSL HMAC_CTX copied from a template)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        withKeyedHMAC { template in
            var out = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            for _ in benchmark.scaledIterations {
                var context = HMAC_CTX()
                CCryptoBoringSSL_HMAC_CTX_init(&context)
                _ = CCryptoBoringSSL_HMAC_CTX_copy_ex(&context, &template)
                _ = CCryptoBoringSSL_HMAC_Update(&context, lookupMessage, lookupMessage.count)
                _ = CCryptoBoringSSL_HMAC_Final(&context, &out, &length)
                CCryptoBoringSSL_HMAC_CTX_cleanup(&context)
                blackHole(Array(out))
            }
        }
    }

    Benchmark("HMAC-SHA256 lookup hash, key absorbed once", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        for _ in benchmark.scaledIterations {
            var hmac = keyed
            hmac.update(data: lookupMessage)
            blackHole(Array(hmac.finalize()))
        }
    }

    // As the engine hashes since round 5: the 32 bytes copied from the code's own buffer (`Array(code)`
    // goes through the generic sequence copy).
    Benchmark(
        "HMAC-SHA256 lookup hash, key absorbed once, bytes copied from the buffer",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var hmac = keyed
            hmac.update(data: lookupMessage)
            blackHole(hmac.finalize().withUnsafeBytes { [UInt8]($0) })
        }
    }
}

/// Runs `body` with a BoringSSL HMAC-SHA256 context keyed with the benchmarks' 32-byte key, then
/// cleans it up.
func withKeyedHMAC(_ body: (inout HMAC_CTX) -> Void) {
    var context = HMAC_CTX()
    CCryptoBoringSSL_HMAC_CTX_init(&context)
    defer { CCryptoBoringSSL_HMAC_CTX_cleanup(&context) }
    let hmacKey = [UInt8](repeating: 9, count: 32)
    _ = CCryptoBoringSSL_HMAC_Init_ex(&context, hmacKey, 32, CCryptoBoringSSL_EVP_sha256(), nil)
    body(&context)
}
