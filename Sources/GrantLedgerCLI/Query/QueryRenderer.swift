internal import ArgumentParser
internal import GrantWorkflow

/// `--format`: `table` for people, `json` one document, `csv` one row per item.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case csv
}

/// `--lang`: the language of table headers and labels.
enum OutputLanguage: String, ExpressibleByArgument, CaseIterable {
    case en
    case zh

    var language: Language { self == .zh ? .zh : .en }
}

/// Renders query results in the three formats.
struct QueryRenderer: Sendable {
    let format: OutputFormat
    let language: Language

    /// A list of rows with the given columns (table and CSV); JSON prints the whole array.
    func list(_ value: JSONValue, columns: [String]) -> String {
        guard case .array(let rows) = value else { return record(value, sections: []) }
        switch format {
        case .json:
            return value.serialized(pretty: true) + "\n"
        case .csv:
            // Every field of the items, the table's columns first: CSV is for programs, which need
            // what JSON holds (a dead letter's lastError, a project's category).
            var header = columns
            for case .object(let object) in rows {
                for key in object.keys where !header.contains(key) { header.append(key) }
            }
            var out = CSV.line(header)
            for row in rows { out += CSV.line(header.map { csvCell(row[member: $0]) }) }
            return out
        case .table:
            var table = TextTable(
                columns: columns.map {
                    TextTable.Column(header: Labels.header($0, language), alignRight: rightAligned($0))
                })
            for row in rows {
                table.append(
                    columns.map { column in
                        // Without an awaiting column, the status says what it waits for (待单位审核).
                        if column == "status", !columns.contains("awaiting"),
                            let status = Labels.status(of: row, language)
                        {
                            return status
                        }
                        return Labels.value(column, row[member: column] ?? .null, language)
                    })
            }
            let count = language == .zh ? "共 \(rows.count) 条" : "\(rows.count) row" + (rows.count == 1 ? "" : "s")
            return table.render() + count + "\n"
        }
    }

    /// One object: its scalar fields as label/value lines, then each named section as a sub-table.
    func record(_ value: JSONValue, sections: [Section]) -> String {
        switch format {
        case .json:
            return value.serialized(pretty: true) + "\n"
        case .csv:
            guard case .object(let object) = value else { return csvCell(value) + "\r\n" }
            let keys = object.keys.filter { !sections.map(\.key).contains($0) }
            return CSV.line(keys) + CSV.line(keys.map { csvCell(object[$0]) })
        case .table:
            guard case .object(let object) = value else {
                return TerminalText.escaped(Labels.value("", value, language)) + "\n"
            }
            var view = RecordView()
            for key in object.keys where !sections.map(\.key).contains(key) {
                let member = object[key] ?? .null
                if key == "status", let status = Labels.status(of: value, language) {
                    view.append(Labels.header(key, language), status)
                } else if case .object(let nested) = member, key == "leader" {
                    let name = Labels.value("name", nested["name"] ?? .null, language)
                    let id = Labels.value("idNumber", nested["idNumber"] ?? .null, language)
                    view.append(Labels.header(key, language), "\(name) (\(id))")
                } else {
                    view.append(Labels.header(key, language), Labels.value(key, member, language))
                }
            }
            var out = view.render()
            for section in sections {
                guard let member = object[section.key] else { continue }
                let text = section.render(member, value, self)
                guard !text.isEmpty else { continue }
                out += "\n" + section.title(language) + "\n" + text
            }
            return out
        }
    }

    /// A nested part of a record shown as its own table.
    struct Section: Sendable {
        var key: String
        var english: String
        var chinese: String
        var render: @Sendable (_ member: JSONValue, _ record: JSONValue, _ renderer: QueryRenderer) -> String

        func title(_ language: Language) -> String { language == .zh ? chinese : english }

        /// An array of objects as a table with these columns; `headers` overrides a column's
        /// (English, Chinese) header where a key means something else in this table, and `labelBy`
        /// names, for a column, the row's member that says which field its value is (a change's
        /// `before` and `after` are labelled as its `field`: a status as 在研, not `active`).
        static func rows(
            _ key: String, _ english: String, _ chinese: String, columns: [String],
            headers: [String: (String, String)] = [:], labelBy: [String: String] = [:]
        ) -> Section {
            Section(key: key, english: english, chinese: chinese) { value, _, renderer in
                guard case .array(let rows) = value, !rows.isEmpty else { return "  —\n" }
                var table = TextTable(
                    columns: columns.map { column in
                        let header =
                            headers[column].map { renderer.language == .zh ? $0.1 : $0.0 }
                            ?? Labels.header(column, renderer.language)
                        return TextTable.Column(header: header, alignRight: renderer.rightAligned(column))
                    })
                for row in rows {
                    table.append(
                        columns.map { column in
                            var key = column
                            if let by = labelBy[column], case .string(let field)? = row[member: by] { key = field }
                            return Labels.value(key, row[member: column] ?? .null, renderer.language)
                        })
                }
                return table.render()
            }
        }

        /// A budget (`direct` map, `indirect`, `total`, `external`) as an amounts table in yuan.
        static func budget(_ key: String) -> Section {
            Section(key: key, english: "Budget (yuan)", chinese: "经费预算（元）") { value, _, renderer in
                renderer.budgetTable(value)
            }
        }
    }

    func budgetTable(_ value: JSONValue) -> String {
        let zh = language == .zh
        var table = TextTable(columns: [
            TextTable.Column(header: zh ? "科目" : "Category"),
            TextTable.Column(header: zh ? "金额（元）" : "Amount", alignRight: true),
        ])
        if case .object(let direct)? = value[member: "direct"] {
            for key in direct.keys {
                table.append([
                    Self.categoryLabel(key, language), Labels.value("amount", direct[key] ?? .null, language),
                ])
            }
        }
        table.append([zh ? "间接费用" : "Indirect", Labels.value("amount", value[member: "indirect"] ?? .null, language)])
        if let total = value[member: "total"] {
            table.append([zh ? "合计" : "Total", Labels.value("amount", total, language)])
        }
        var out = table.render()
        if case .array(let external)? = value[member: "external"], !external.isEmpty {
            var partners = TextTable(columns: [
                TextTable.Column(header: Labels.header("partner", language)),
                TextTable.Column(header: Labels.header("creditCode", language)),
                TextTable.Column(header: Labels.header("amount", language), alignRight: true),
            ])
            for row in external {
                partners.append(
                    ["partner", "creditCode", "amount"].map { Labels.value($0, row[member: $0] ?? .null, language) })
            }
            out += (zh ? "外拨经费\n" : "External allocations\n") + partners.render()
        }
        return out
    }

    static func categoryLabel(_ key: String, _ language: Language) -> String {
        guard language == .zh else { return key }
        switch key {
        case "equipment": return "设备费"
        case "business": return "业务费"
        case "labor": return "劳务费"
        case "materials": return "资料费"
        case "travel": return "差旅费"
        case "conference": return "会议费"
        case "consultation": return "专家咨询费"
        case "printing": return "印刷费"
        default: return key
        }
    }

    func rightAligned(_ key: String) -> Bool {
        Labels.amountKeys.contains(key) || key == "position" || key == "extensionCount" || key == "count"
    }

    private func csvCell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .bool(let flag)?: return flag ? "true" : "false"
        case .number(let text)?: return text
        case .string(let text)?: return PersonalData.isErased(text) ? "erased" : text
        case .array(let values)?:
            if values.allSatisfy({ if case .string = $0 { return true } else { return false } }) {
                return values.map { csvCell($0) }.joined(separator: ";")
            }
            return values.isEmpty ? "" : (value ?? .null).serialized()
        case .object?: return (value ?? .null).serialized()
        }
    }
}
