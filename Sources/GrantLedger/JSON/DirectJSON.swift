internal import GrantWorkflow

/// JSON written by hand for the values that dominate a replica's volume (`ProjectRegistered` is a
/// quarter of the demo's events and most of its JSON bytes; every project row has a budget), with
/// exactly the output of ``JSONTreeEncoder`` with sorted keys: members in UTF-8 key order, absent
/// optionals left out. `JSONTreeEncoderTests` compares both with `JSONEncoder` on every event of the
/// demo, so a field added to one of these types without its line here fails the tests.
enum DirectJSON {
    /// A string member value: erased personal fields (R-LOG-6) as the marker or null.
    static func string(_ text: String, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        if PersonalData.isErased(text) {
            switch erased {
            case .marker: out.append(contentsOf: #"{"erased":true}"#.utf8)
            case .null: out.append(contentsOf: "null".utf8)
            }
        } else {
            JSONValue.writeString(text, to: &out)
        }
    }

    /// `"key":` (after a comma unless it is the first member).
    static func key(_ key: StaticString, _ out: inout [UInt8], first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        out.append(contentsOf: "\":".utf8)
    }

    static func int<T: BinaryInteger>(_ value: T, _ out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }

    static func bool(_ value: Bool, _ out: inout [UInt8]) {
        out.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `{"idNumber":…,"idType":…,"name":…`: the members a person and a project member share first.
    private static func identity(
        _ idNumber: String, _ idType: IdType, _ name: String, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("idNumber", &out, first: true)
        string(idNumber, &out, erased)
        key("idType", &out)
        string(idType.rawValue, &out, erased)
        key("name", &out)
        string(name, &out, erased)
    }

    static func person(_ person: Person, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        identity(person.idNumber, person.idType, person.name, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func member(_ member: Member, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        identity(member.idNumber, member.idType, member.name, &out, erased)
        key("role", &out)
        string(member.role, &out, erased)
        key("title", &out)
        string(member.title, &out, erased)
        key("unit", &out)
        string(member.unit, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func budget(_ budget: Budget, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("direct", &out, first: true)
        out.append(UInt8(ascii: "{"))
        var first = true
        for category in budget.direct.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(category, to: &out)
            out.append(UInt8(ascii: ":"))
            int(budget.direct[category] ?? 0, &out)
        }
        out.append(UInt8(ascii: "}"))
        key("external", &out)
        if budget.external.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            JSONTreeEncoder.write(budget.external, to: &out, erased: erased)
        }
        key("indirect", &out)
        int(budget.indirect, &out)
        out.append(UInt8(ascii: "}"))
    }

    static func strings(_ values: [String], _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(value, &out, erased)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func project(_ project: Project, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased) {
        out.append(UInt8(ascii: "{"))
        key("approvedOn", &out, first: true)
        string(project.approvedOn.description, &out, erased)
        key("budget", &out)
        budget(project.budget, &out, erased)
        key("category", &out)
        string(project.category.rawValue, &out, erased)
        if let certificateNo = project.certificateNo {
            key("certificateNo", &out)
            string(certificateNo, &out, erased)
        }
        key("closeoutUnderReview", &out)
        bool(project.closeoutUnderReview, &out)
        key("contentAdjustments", &out)
        if project.contentAdjustments.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            JSONTreeEncoder.write(project.contentAdjustments, to: &out, erased: erased)
        }
        key("deliverableForm", &out)
        string(project.deliverableForm.rawValue, &out, erased)
        key("discipline", &out)
        string(project.discipline, &out, erased)
        key("effectiveChangeRequests", &out)
        strings(project.effectiveChangeRequests, &out, erased)
        key("extensionCount", &out)
        int(project.extensionCount, &out)
        if let grade = project.grade {
            key("grade", &out)
            JSONTreeEncoder.write(grade, to: &out, erased: erased)
        }
        if let lastReminder = project.lastReminder {
            key("lastReminder", &out)
            JSONTreeEncoder.write(lastReminder, to: &out, erased: erased)
        }
        key("leader", &out)
        person(project.leader, &out, erased)
        key("members", &out)
        out.append(UInt8(ascii: "["))
        for (index, member) in project.members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            self.member(member, &out, erased)
        }
        out.append(UInt8(ascii: "]"))
        if let overdueListedFor = project.overdueListedFor {
            key("overdueListedFor", &out)
            string(overdueListedFor.description, &out, erased)
        }
        key("plannedEndDate", &out)
        string(project.plannedEndDate.description, &out, erased)
        key("projectNo", &out)
        string(project.projectNo, &out, erased)
        key("status", &out)
        string(project.status.rawValue, &out, erased)
        key("title", &out)
        string(project.title, &out, erased)
        key("unitId", &out)
        string(project.unitId, &out, erased)
        out.append(UInt8(ascii: "}"))
    }

    static func projectRegistered(
        _ event: ProjectRegistered, _ out: inout [UInt8], _ erased: JSONTreeEncoder.Erased
    ) {
        out.append(UInt8(ascii: "{"))
        key("at", &out, first: true)
        string(event.at.description, &out, erased)
        key("by", &out)
        string(event.by, &out, erased)
        key("project", &out)
        project(event.project, &out, erased)
        out.append(UInt8(ascii: "}"))
    }
}
