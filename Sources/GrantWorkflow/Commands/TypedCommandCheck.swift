/// The input rules of docs/cli.md for an envelope built in Swift, which no decoder read: the same
/// limits the JSON decoder applies field by field (``FieldReader``), found here by walking the value.
/// Every string keeps the text rules (no control characters, bidirectional overrides or
/// noncharacters; NFC; at most 30 combining marks in a row) and the length of its kind: an
/// identifier matches `[A-Za-z0-9][A-Za-z0-9._&-]{0,63}`, a free text (a reason, an opinion, a
/// closeout's prose) is at most 20,000 scalars, and any other string is a name: not blank, at most 200
/// scalars. Lists and tables hold at most 1,000 entries, amounts are whole fen with |x| ≤ 10^15, dates
/// lie in the years 1900–2999, times in the same years, and counts are 0…10^12. A value outside them
/// could not be written and read back (a date the event codec cannot hold), could overflow the
/// engine's arithmetic, or would be refused as a JSON line; here it is refused the same way, with
/// `invalidInput` naming the field.
struct TypedCommandCheck {
    let limits: InputLimits

    /// Fields whose strings are identifiers (``FieldReader/identifier(_:)``).
    static let identifierFields: Set<String> = [
        "id", "actor", "accountId", "adjustmentId", "closeoutId", "newUnitId", "projectNo", "provinceId", "requestId",
        "unitId", "experts",
    ]
    /// Fields whose strings are free text (``FieldReader/text(_:)``): may be empty, up to 20,000 scalars.
    static let textFields: Set<String> = [
        "adjusted", "comments", "impact", "original", "plan", "progress", "reason", "contribution", "opinion",
        "extra",
    ]
    /// Fields a line may leave out and the decoder then reads as empty text: empty is allowed here too.
    static let emptyAllowed: Set<String> = ["Member.title", "Member.role"]

    /// The earliest and latest day a command may name, and the same bounds for times (a day's
    /// widest offsets around them).
    static let firstDay = CalendarDate(year: CalendarDate.minimumYear, month: 1, day: 1)?.daysSinceEpoch ?? 0
    static let lastDay = CalendarDate(year: CalendarDate.maximumYear, month: 12, day: 31)?.daysSinceEpoch ?? 0
    static let firstTime = Int64(firstDay) * 86_400_000 - 14 * 3_600_000
    static let lastTime = Int64(lastDay + 1) * 86_400_000 + 14 * 3_600_000

    func check(_ envelope: CommandEnvelope) throws(WorkflowError) {
        if let id = envelope.id { try check(id, field: "id", kind: "id") }
        if let actor = envelope.actor { try check(actor, field: "actor", kind: "actor") }
        if let causation = envelope.causationId { try check(causation, field: "causationId", kind: "causationId") }
        if let correlation = envelope.correlationId {
            try check(correlation, field: "correlationId", kind: "correlationId")
        }
        if let at = envelope.at { try check(at, field: "at", kind: "at") }
        let mirror = Mirror(reflecting: envelope.command)
        // A case with a payload: its fields (a tuple's labels, or the fields of one payload struct).
        if let payload = mirror.children.first { try check(payload.value, field: "", kind: "") }
    }

    /// Checks `value`, at the path `field` (for the answer), as a field named `kind` (its rule).
    private func check(_ value: Any, field: String, kind: String) throws(WorkflowError) {
        switch value {
        case let text as String:
            try check(text, field: field, kind: kind)
        case let amount as Int64:
            guard (-limits.maximumAmount...limits.maximumAmount).contains(amount) else {
                throw WorkflowError.invalidInput(field, "is out of range: \(amount)")
            }
        case let count as Int:
            guard (0...1_000_000_000_000).contains(count) else {
                throw WorkflowError.invalidInput(field, "is out of range: \(count)")
            }
        case let date as CalendarDate:
            guard (Self.firstDay...Self.lastDay).contains(date.daysSinceEpoch) else {
                throw WorkflowError.invalidInput(
                    field, "must be a date from \(CalendarDate.minimumYear) to \(CalendarDate.maximumYear)")
            }
        case let time as Timestamp:
            guard (Self.firstTime...Self.lastTime).contains(time.epochMilliseconds) else {
                throw WorkflowError.invalidInput(
                    field, "must be a time from \(CalendarDate.minimumYear) to \(CalendarDate.maximumYear)")
            }
        case is Bool, is [UInt8]:
            return
        default:
            try checkComposite(value, field: field, kind: kind)
        }
    }

    private func checkComposite(_ value: Any, field: String, kind: String) throws(WorkflowError) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let some = mirror.children.first { try check(some.value, field: field, kind: kind) }
        case .enum:
            if let payload = mirror.children.first { try check(payload.value, field: field, kind: kind) }
        case .collection, .set:
            guard mirror.children.count <= limits.maximumListCount else {
                throw WorkflowError.invalidInput(field, "has more than \(limits.maximumListCount) items")
            }
            for (index, element) in mirror.children.enumerated() {
                try check(element.value, field: "\(field)[\(index)]", kind: kind)
            }
        case .dictionary:
            guard mirror.children.count <= limits.maximumListCount else {
                throw WorkflowError.invalidInput(field, "has more than \(limits.maximumListCount) entries")
            }
            for entry in mirror.children {
                let pair = Array(Mirror(reflecting: entry.value).children)
                guard pair.count == 2 else { continue }
                // A key is data (a budget category, an extra profile field): a name.
                let key = pair[0].value as? String ?? ""
                try check(key, field: field, kind: "")
                // A value keeps the table's rule (a profile's further fields are free text).
                try check(pair[1].value, field: field.isEmpty ? key : "\(field).\(key)", kind: kind)
            }
        default:
            // Structs and tuples: each field by its own name and rule.
            let type = String(describing: mirror.subjectType)
            for child in mirror.children {
                guard let label = child.label else {
                    try check(child.value, field: field, kind: kind)
                    continue
                }
                if let text = child.value as? String, text.isEmpty, Self.emptyAllowed.contains("\(type).\(label)") {
                    continue
                }
                try check(child.value, field: field.isEmpty ? label : "\(field).\(label)", kind: label)
            }
        }
    }

    private func check(_ text: String, field: String, kind: String) throws(WorkflowError) {
        if Self.identifierFields.contains(kind) {
            guard InputText.isIdentifier(text) else {
                throw WorkflowError.invalidInput(
                    field, "must be an identifier: 1–64 of A–Z a–z 0–9 . _ & -, starting with a letter or digit")
            }
            return
        }
        let isText = Self.textFields.contains(kind)
        let (scalars, bytes) =
            isText
            ? (limits.maximumTextLength, limits.maximumTextBytes) : (limits.maximumNameLength, limits.maximumNameBytes)
        // First: NFC takes time quadratic in a run of combining marks.
        if InputText.exceedsCombiningRun(text.unicodeScalars) {
            throw WorkflowError.invalidInput(field, "holds more than 30 combining marks in a row")
        }
        let normalized: String
        do throws(InputText.Refusal) {
            normalized = try InputText.normalized(text, maximumScalars: scalars, maximumBytes: bytes)
        } catch {
            throw FieldReader.refusal(error, field: field, scalars: scalars, bytes: bytes)
        }
        // Bytes, not `==`, which holds for canonically equivalent strings.
        guard normalized.utf8.elementsEqual(text.utf8) else {
            throw WorkflowError.invalidInput(field, "must be in Unicode normalization form C (NFC)")
        }
        if !isText, FieldReader.isBlank(text) {
            throw WorkflowError.invalidInput(field, "must not be empty")
        }
    }
}

extension CommandEnvelope {
    /// The first way an envelope built in Swift breaks the input rules of docs/cli.md, as the JSON
    /// decoder would answer it (`invalidInput` naming the field); nil when it keeps them. An envelope
    /// the decoder made was checked as it was read. The engine asks this of every envelope it did not
    /// decode itself, before anything else.
    public func inputProblem(limits: InputLimits = .standard) -> WorkflowError? {
        guard !checkedByDecoder else { return nil }
        do {
            try TypedCommandCheck(limits: limits).check(self)
            return nil
        } catch {
            return error
        }
    }
}
