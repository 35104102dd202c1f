/// The input limits of docs/cli.md.
public struct InputLimits: Sendable, Hashable {
    /// Longest command line in bytes (attachments travel base64 inside it). Default 32 MiB.
    public var maximumLineBytes: Int
    /// Longest name, title or other short string, in Unicode scalars (after NFC). Default 200.
    public var maximumNameLength: Int
    /// Longest name, title or other short string, in UTF-8 bytes (after NFC). Default 800.
    public var maximumNameBytes: Int
    /// Longest free text, in Unicode scalars (after NFC). Default 20,000.
    public var maximumTextLength: Int
    /// Longest free text, in UTF-8 bytes (after NFC). Default 80,000.
    public var maximumTextBytes: Int
    /// Most items in a list (or entries in a table). Default 1,000.
    public var maximumListCount: Int
    /// Largest absolute amount in fen (10^15 fen = 10 trillion yuan), so sums of a list never overflow.
    public var maximumAmount: Int64

    /// The limits of docs/cli.md.
    public init() {
        maximumLineBytes = 32 * 1024 * 1024
        maximumNameLength = 200
        maximumNameBytes = 800
        maximumTextLength = 20_000
        maximumTextBytes = 80_000
        maximumListCount = 1_000
        maximumAmount = 1_000_000_000_000_000
    }

    /// The limits of docs/cli.md.
    public static let standard = InputLimits()
}
