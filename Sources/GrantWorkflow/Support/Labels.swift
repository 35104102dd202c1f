/// The language of a human label.
public enum Language: String, Sendable, Codable, CaseIterable {
    /// English.
    case en
    /// Chinese (simplified).
    case zh
}

/// A closed set of domain values with English and Chinese labels for tables and forms.
public protocol Labeled {
    /// The label of the value in `language`.
    func label(_ language: Language) -> String
}
