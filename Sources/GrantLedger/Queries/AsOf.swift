public import GrantWorkflow

/// A moment in the log's history: just after a position, or at a time (every event at or before it).
public enum AsOf: Sendable, Hashable {
    /// The state after the event at this position.
    case position(UInt64)
    /// The state after every event committed with a time at or before this one.
    case time(Timestamp)

    /// Parses `--as-of`: a position (digits) or an ISO 8601 time with offset.
    public init?(_ text: String) {
        if !text.isEmpty, text.allSatisfy(\.isASCII), let position = UInt64(text) {
            self = .position(position)
        } else if let time = Timestamp(iso8601: text) {
            self = .time(time)
        } else if let date = CalendarDate(text) {
            // A bare date means the end of that day in China Standard Time.
            self = .time(Timestamp(epochMilliseconds: Timestamp(startOf: date.adding(days: 1)).epochMilliseconds - 1))
        } else {
            return nil
        }
    }

    /// Whether an event at `position` with `time` (epoch milliseconds) belongs to the state.
    func includes(position: UInt64, time: Int64) -> Bool {
        switch self {
        case .position(let limit): return position <= limit
        case .time(let limit): return time <= limit.epochMilliseconds
        }
    }
}
