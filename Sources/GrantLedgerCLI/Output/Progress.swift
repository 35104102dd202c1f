internal import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress on standard error for long runs (rebuild, verify, large applies), shown only when
/// standard error is a terminal; quiet otherwise, so scripts and logs stay clean.
final class ProgressReporter: Sendable {
    private struct Drawing {
        var lastDrawn: UInt64 = 0
        var lastPercent = -1
        var drewSomething = false
    }

    private let label: String
    private let total: UInt64?
    private let enabled: Bool
    private let drawing = Mutex(Drawing())

    /// A reporter for `label`; `total` when the end is known (a bar), nil for a counter.
    init(label: String, total: UInt64?, enabled: Bool = ProgressReporter.stderrIsTerminal) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    /// True when standard error is a terminal.
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Reports that `done` units are finished; redraws at most once per percent (or 10,000 units).
    func update(_ done: UInt64) {
        guard enabled else { return }
        let text: String? = drawing.withLock { state in
            if let total, total > 0 {
                let percent = Int(min(100, done * 100 / total))
                guard percent != state.lastPercent else { return nil }
                state.lastPercent = percent
                state.drewSomething = true
                let filled = percent * 30 / 100
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 30 - filled)
                return "\r\(label) \(bar) \(percent)% (\(done)/\(total))"
            }
            guard done >= state.lastDrawn + 10_000 || done < state.lastDrawn else { return nil }
            state.lastDrawn = done
            state.drewSomething = true
            return "\r\(label) \(done)"
        }
        if let text { Terminal.writeAll(2, Array(text.utf8)) }
    }

    /// Clears the progress line.
    func finish() {
        guard enabled, drawing.withLock({ $0.drewSomething }) else { return }
        Terminal.writeAll(2, Array("\r\u{1B}[2K".utf8))
    }
}
