/// Amounts are stored in fen (分); people read yuan (元) with two decimals and thousands grouped.
enum Money {
    /// `123456789` fen → `"1,234,567.89"`.
    static func yuan(_ fen: Int64) -> String {
        let negative = fen < 0
        let magnitude = fen.magnitude
        let whole = magnitude / 100
        let cents = magnitude % 100
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        grouped = digits + grouped
        let centText = cents < 10 ? "0\(cents)" : "\(cents)"
        return (negative ? "-" : "") + grouped + "." + centText
    }
}
