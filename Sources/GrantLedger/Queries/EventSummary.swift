internal import GrantWorkflow

/// Events as JSON for auditors, and one-line summaries for `query history`.
enum EventSummary {
    /// `{"type", "schemaVersion", "data"}` of an event (its Encodable form), keys sorted: what
    /// `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` gives, without its round trip
    /// (``JSONTreeEncoder``).
    static func json(_ event: DomainEvent) -> JSONValue {
        JSONTreeEncoder.value(event)
    }

    /// Whether the event names appraisal experts (hidden from leaders, R-CLO-5).
    static func isAppraisal(_ event: DomainEvent) -> Bool {
        switch event {
        case .appraisalExpertsAssigned, .appraisalSubmitted: return true
        default: return false
        }
    }

    /// Fields worth a place in a one-line summary, in this order.
    static let summaryKeys = [
        "itemId", "requestId", "closeoutId", "adjustmentId", "kind", "section", "level", "decision", "outcome", "grade",
        "title", "newTitle", "newUnitId", "newForm",
        "certificateNo", "newEndDate", "plannedEndDate", "status", "reason", "filename", "purpose", "daysBefore",
        "experts", "expertId",
    ]

    /// `requestId=CR-1 kind=extension decision=approve …`: the short scalar fields of the event.
    /// Without `showExperts`, neither the experts nor one expert's grade shows: `query closeout` gives
    /// those viewers no appraisal, only their count and, once concluded, the grade (R-CLO-5).
    static func describe(_ event: DomainEvent, showExperts: Bool) -> String {
        guard case .object(let root)? = Optional(json(event)), case .object(let data)? = root["data"] else {
            return event.typeName
        }
        // The key's value in the payload, or one level down (`attachment.filename`, `data.section`).
        func find(_ key: String) -> JSONValue? {
            if let value = data[key] { return value }
            for nestedKey in data.keys {
                if case .object(let nested)? = data[nestedKey], let value = nested[key] { return value }
            }
            return nil
        }
        var hidden: Set<String> = []
        if !showExperts {
            hidden = ["experts", "expertId"]
            if case .appraisalSubmitted = event { hidden.insert("grade") }
        }
        var parts: [String] = []
        for key in summaryKeys where !hidden.contains(key) {
            guard let value = find(key), let text = scalarText(value) else { continue }
            parts.append("\(key)=\(text)")
        }
        return parts.joined(separator: " ")
    }

    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text.count <= 40 ? text : String(text.prefix(37)) + "…"
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let values):
            let texts = values.compactMap { value -> String? in
                if case .string(let text) = value { return text }
                return nil
            }
            return texts.count == values.count && !texts.isEmpty ? texts.joined(separator: ",") : nil
        case .null, .object: return nil
        }
    }
}
