#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A borrowed view of one stored event, valid only inside the closure it is passed to.
///
/// Nothing is copied: ``payload``, ``digest`` and the `…Bytes` properties point into LMDB's memory map
/// and must not be kept after the closure returns. Use ``recordedEvent()`` to copy the event out.
/// The `String` properties allocate; compare with ``streamEquals(_:)`` / ``typeEquals(_:)`` on hot paths.
public struct EventRecordView: ~Copyable {
    /// The whole record: canonical bytes followed by the 32-byte digest (layout in `RecordLayout`).
    public let rawBytes: UnsafeRawBufferPointer

    /// Wraps record bytes that `RecordLayout.isWellFormed` accepted.
    init(validated bytes: UnsafeRawBufferPointer) {
        rawBytes = bytes
    }

    @inline(__always)
    private func u16(_ offset: Int) -> Int {
        Int(UInt16(littleEndian: rawBytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    /// Start of the string whose length is at `lengthOffset` (28, 30, …, 38).
    @inline(__always)
    private func stringBytes(lengthAt lengthOffset: Int) -> UnsafeRawBufferPointer {
        var start = RecordLayout.headerSize
        var offset = 28
        while offset < lengthOffset {
            start += u16(offset)
            offset += 2
        }
        return UnsafeRawBufferPointer(rebasing: rawBytes[start..<start + u16(lengthOffset)])
    }

    private func optionalString(flag: UInt8, lengthAt offset: Int) -> String? {
        guard rawBytes[1] & flag != 0 else { return nil }
        return String(decoding: stringBytes(lengthAt: offset), as: UTF8.self)
    }

    /// Global position.
    public var position: UInt64 { UInt64(littleEndian: rawBytes.loadUnaligned(fromByteOffset: 4, as: UInt64.self)) }
    /// Version within the stream.
    public var streamVersion: UInt64 {
        UInt64(littleEndian: rawBytes.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
    }
    /// Milliseconds since the Unix epoch.
    public var time: Int64 { Int64(littleEndian: rawBytes.loadUnaligned(fromByteOffset: 20, as: Int64.self)) }
    /// The payload's schema version.
    public var schemaVersion: UInt16 {
        UInt16(littleEndian: rawBytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
    }
    /// The stream id's UTF-8 bytes.
    public var streamBytes: UnsafeRawBufferPointer { stringBytes(lengthAt: 28) }
    /// The event type's UTF-8 bytes.
    public var typeBytes: UnsafeRawBufferPointer { stringBytes(lengthAt: 30) }
    /// The stream id (allocates).
    public var stream: String { String(decoding: streamBytes, as: UTF8.self) }
    /// The event type (allocates).
    public var type: String { String(decoding: typeBytes, as: UTF8.self) }
    /// The command id, if any.
    public var commandId: String? { optionalString(flag: RecordLayout.hasCommandId, lengthAt: 32) }
    /// The actor, if any.
    public var actor: String? { optionalString(flag: RecordLayout.hasActor, lengthAt: 34) }
    /// The causation id, if any.
    public var causationId: String? { optionalString(flag: RecordLayout.hasCausationId, lengthAt: 36) }
    /// The correlation id, if any.
    public var correlationId: String? { optionalString(flag: RecordLayout.hasCorrelationId, lengthAt: 38) }
    /// The payload bytes, in place.
    public var payload: UnsafeRawBufferPointer {
        let count = Int(UInt32(littleEndian: rawBytes.loadUnaligned(fromByteOffset: 40, as: UInt32.self)))
        let end = rawBytes.count - RecordLayout.digestSize
        return UnsafeRawBufferPointer(rebasing: rawBytes[(end - count)..<end])
    }
    /// The 32-byte digest, in place.
    public var digest: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: rawBytes[(rawBytes.count - RecordLayout.digestSize)...])
    }
    /// The canonical bytes the digest covers (everything but the digest).
    public var canonicalBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: rawBytes[..<(rawBytes.count - RecordLayout.digestSize)])
    }

    /// Whether the stream id equals `stream`, without allocating.
    public func streamEquals(_ stream: String) -> Bool { Self.bytes(streamBytes, equal: stream) }
    /// Whether the type equals `type`, without allocating.
    public func typeEquals(_ type: String) -> Bool { Self.bytes(typeBytes, equal: type) }

    private static func bytes(_ bytes: UnsafeRawBufferPointer, equal string: String) -> Bool {
        var string = string
        return string.withUTF8 { utf8 in
            utf8.count == bytes.count
                && (bytes.count == 0 || memcmp(bytes.baseAddress!, utf8.baseAddress!, bytes.count) == 0)
        }
    }

    /// Copies the event out of the map.
    public func recordedEvent() -> RecordedEvent {
        RecordedEvent(
            position: position, stream: stream, streamVersion: streamVersion, type: type,
            schemaVersion: schemaVersion, time: time, commandId: commandId, actor: actor,
            causationId: causationId, correlationId: correlationId, payload: Array(payload), digest: Array(digest)
        )
    }
}
