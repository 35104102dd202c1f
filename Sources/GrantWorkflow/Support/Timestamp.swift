/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
///
/// The domain never reads a clock (R-LOG-4): every instant comes in with a command. It renders in
/// China Standard Time (`+08:00`), the time zone of every calendar date in the domain.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    public var epochMilliseconds: Int64

    /// Milliseconds in China Standard Time's offset from UTC.
    public static let chinaOffsetMilliseconds: Int64 = 8 * 3_600_000
    static let millisecondsPerDay: Int64 = 86_400_000

    /// Creates an instant.
    public init(epochMilliseconds: Int64) { self.epochMilliseconds = epochMilliseconds }

    /// Creates an instant from seconds since the epoch (e.g. `Date().timeIntervalSince1970`);
    /// a non-finite or out-of-range value gives the epoch.
    public init(secondsSince1970 seconds: Double) {
        self.epochMilliseconds = Int64(exactly: (seconds * 1000).rounded(.down)) ?? 0
    }

    /// Seconds since the epoch (for `Date(timeIntervalSince1970:)`).
    public var secondsSince1970: Double { Double(epochMilliseconds) / 1000 }

    /// The instant at 00:00 China Standard Time of `date`.
    public init(startOf date: CalendarDate) {
        self.epochMilliseconds = Int64(date.daysSinceEpoch) * Self.millisecondsPerDay - Self.chinaOffsetMilliseconds
    }

    /// Parses ISO 8601 with an offset: `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`; nil otherwise.
    public init?(iso8601 text: String) {
        var text = text
        guard let milliseconds = text.withUTF8(Self.parse) else { return nil }
        self.epochMilliseconds = milliseconds
    }

    /// The milliseconds of an ISO 8601 time's bytes (without copying them into an array).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count >= 20, bytes.count <= 40,
            let date = CalendarDate.parse(UnsafeBufferPointer(rebasing: bytes[0..<10])),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let hour = CalendarDate.digits(bytes, 11, 2), let minute = CalendarDate.digits(bytes, 14, 2),
            let second = CalendarDate.digits(bytes, 17, 2), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                millis += Int(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start, index - start <= 9 else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        if bytes[index] == UInt8(ascii: "Z") {
            guard index + 1 == bytes.count else { return nil }
        } else {
            let sign = bytes[index]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), index + 6 == bytes.count,
                bytes[index + 3] == UInt8(ascii: ":"),
                let offsetHours = CalendarDate.digits(bytes, index + 1, 2),
                let offsetMinutes = CalendarDate.digits(bytes, index + 4, 2), offsetHours <= 14, offsetMinutes < 60
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        let seconds =
            Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            - Int64(offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }

    /// The calendar date of this instant in China Standard Time.
    public var chinaDate: CalendarDate {
        let shifted = epochMilliseconds &+ Self.chinaOffsetMilliseconds
        let day = shifted >= 0 ? shifted / Self.millisecondsPerDay : (shifted + 1) / Self.millisecondsPerDay - 1
        return CalendarDate(daysSinceEpoch: Int(day))
    }

    /// The instant `minutes` later.
    public func adding(minutes: Int) -> Timestamp {
        Timestamp(epochMilliseconds: epochMilliseconds &+ Int64(minutes) &* 60_000)
    }

    /// ISO 8601 in China Standard Time, e.g. `2027-01-05T09:30:00+08:00` (milliseconds when non-zero).
    public var description: String {
        let shifted = epochMilliseconds &+ Self.chinaOffsetMilliseconds
        let date = chinaDate
        let inDay = shifted &- Int64(date.daysSinceEpoch) &* Self.millisecondsPerDay
        let millis = Int(inDay % 1000)
        let totalSeconds = Int(inDay / 1000)
        var text = date.description + "T" + CalendarDate.pad(totalSeconds / 3600, 2) + ":"
        text += CalendarDate.pad(totalSeconds / 60 % 60, 2) + ":" + CalendarDate.pad(totalSeconds % 60, 2)
        if millis != 0 { text += "." + CalendarDate.pad(millis, 3) }
        return text + "+08:00"
    }

    /// Orders by instant.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.epochMilliseconds < rhs.epochMilliseconds }

    /// Decodes from an ISO 8601 string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time")
        }
        self = value
    }

    /// Encodes as ISO 8601 in China Standard Time.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
