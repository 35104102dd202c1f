/// A strict, bounded JSON parser over UTF-8 bytes: never crashes, whatever the input.
///
/// Refuses invalid UTF-8, nesting deeper than ``maximumDepth``, duplicate keys, lone surrogates,
/// control characters in strings, and trailing content. Errors are `invalidInput` with field `$`.
/// Strings are checked as they are read, and outside strings a JSON text is ASCII (any other byte is
/// a syntax error), so a parse that succeeds has checked every byte; a parse that fails checks the
/// whole line before it reports its own error.
public struct JSONParser {
    /// The deepest nesting accepted (commands need fewer than 10 levels).
    public static let maximumDepth = 64
    /// The longest number literal accepted, in characters.
    public static let maximumNumberLength = 64

    /// Parses a whole document.
    ///
    /// Invalid UTF-8 anywhere is refused as such, before any other fault. Reads the document into a
    /// token tape (the one scanner, which the command decoder reads in place) and builds the tree from
    /// it; unlike a command line, a document may hold any number of values.
    public static func parse(_ bytes: [UInt8]) throws(WorkflowError) -> JSONValue {
        try JSONTape.withTape(bytes, maximumTokens: .max) { tape in tape.value(JSONTape.root) }
    }

    static var invalidUTF8: WorkflowError { WorkflowError.invalidInput("$", "input is not valid UTF-8") }
}
