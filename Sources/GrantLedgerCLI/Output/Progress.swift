#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress on standard error for long runs (rebuild, verify, large applies), shown only when
/// standard error is a terminal; quiet otherwise, so scripts and logs stay clean.
final class ProgressReporter {
    private let label: String
    private let total: UInt64?
    private let enabled: Bool
    private var lastDrawn: UInt64 = 0
    private var lastPercent = -1
    private var drewSomething = false

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
        if let total, total > 0 {
            let percent = Int(min(100, done * 100 / total))
            guard percent != lastPercent else { return }
            lastPercent = percent
            let filled = percent * 30 / 100
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 30 - filled)
            draw("\r\(label) \(bar) \(percent)% (\(done)/\(total))")
        } else {
            guard done >= lastDrawn + 10_000 || done < lastDrawn else { return }
            lastDrawn = done
            draw("\r\(label) \(done)")
        }
    }

    /// Clears the progress line.
    func finish() {
        guard enabled, drewSomething else { return }
        draw("\r\u{1B}[2K")
    }

    private func draw(_ text: String) {
        drewSomething = true
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            _ = write(2, buffer.baseAddress, buffer.count)
        }
    }
}
