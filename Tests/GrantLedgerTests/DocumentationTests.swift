import Foundation
import GrantLedgerCLI
import GrantWorkflow
import Testing

/// The user documentation keeps up with the code: every command type and error code is in
/// docs/cli.md, every rule id the sources cite is in docs/rules.md, and nothing links outside the
/// repository (users get the repository alone).
@Suite struct DocumentationTests {
    /// The repository's root: three levels above this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// Every regular file under `relativePath` (a file or a folder), skipping build output.
    static func files(under relativePath: String) -> [URL] {
        let start = root.appendingPathComponent(relativePath)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: start.path, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { return [start] }
        var found: [URL] = []
        let walker = FileManager.default.enumerator(at: start, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            let name = url.lastPathComponent
            if name.hasPrefix(".build") || name == ".swiftpm" || name == ".benchmarkBaselines" {
                walker?.skipDescendants()
                continue
            }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { found.append(url) }
        }
        return found
    }

    /// The strings `pattern`'s first capture group matches in `text`.
    static func captures(_ pattern: String, in text: String) throws -> Set<String> {
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(
            regex.matches(in: text, range: range).compactMap { match in
                Range(match.range(at: 1), in: text).map { String(text[$0]) }
            })
    }

    /// The codes declared in the code's own tables: every `Code(rawValue: "…")` constant of the
    /// workflow's and the engine's error types, so a code added there must be documented too.
    static func declaredErrorCodes() throws -> Set<String> {
        var codes: Set<String> = []
        for path in ["Sources/GrantWorkflow/Support/WorkflowError.swift", "Sources/GrantLedger/LedgerError.swift"] {
            codes.formUnion(try captures(#"static let \w+ = Code\(rawValue: "(\w+)"\)"#, in: try text(path)))
        }
        return codes
    }

    @Test("every command type the decoder accepts is in docs/cli.md")
    func commandTypesDocumented() throws {
        let cli = try Self.text("docs/cli.md")
        #expect(Command.typeNames.count >= 36)
        let missing = Command.typeNames.filter { !cli.contains("`\($0)`") }
        #expect(missing.isEmpty, "docs/cli.md does not document the command types \(missing)")
    }

    @Test("every error code of WorkflowError and LedgerError is in docs/cli.md")
    func errorCodesDocumented() throws {
        let cli = try Self.text("docs/cli.md")
        let codes = try Self.declaredErrorCodes()
        #expect(codes.isSuperset(of: ["invalidInput", "duplicatePendingChange", "storage", "corrupted"]))
        let missing = codes.sorted().filter { !cli.contains("| `\($0)` |") }
        #expect(missing.isEmpty, "docs/cli.md's error table has no row for \(missing)")
    }

    @Test("every rule id cited in Sources is in docs/rules.md")
    func ruleIdsDocumented() throws {
        let rules = try Self.text("docs/rules.md")
        var cited: Set<String> = []
        for file in Self.files(under: "Sources") {
            guard let source = try? String(contentsOf: file, encoding: .utf8) else { continue }
            cited.formUnion(try Self.captures(#"(R-[A-Z]+-[0-9]+)"#, in: source))
        }
        #expect(cited.count >= 40)
        let headings = try Self.ruleHeadings(rules)
        let missing = cited.sorted().filter { !headings.contains($0) }
        #expect(missing.isEmpty, "docs/rules.md has no section for \(missing)")
    }

    /// The rule ids that head a section of docs/rules.md (`### R-CHG-3 …`).
    static func ruleHeadings(_ text: String) throws -> Set<String> {
        var ids: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("#") {
            ids.formUnion(try captures(#"(R-[A-Z]+-[0-9]+)"#, in: String(line)))
        }
        return ids
    }

    @Test("no documentation, source, benchmark, script or CI file links outside the repository")
    func noLinksOutside() throws {
        let scanned = ["README.md", "BENCHMARKS.md", "docs", "Sources", "Benchmarks", "scripts", ".ci", "Examples"]
        var problems: [String] = []
        for file in scanned.flatMap(Self.files(under:)) {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            let relative = String(file.standardizedFileURL.path.dropFirst(Self.root.standardizedFileURL.path.count + 1))
            if text.contains("../" + "shared") { problems.append("\(relative): mentions ../" + "shared") }
            guard file.pathExtension == "md" else { continue }
            for target in try Self.captures(#"\]\(([^)\s]+)\)"#, in: text) where Self.escapes(target, from: file) {
                problems.append("\(relative): links to \(target), outside the repository")
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// Whether a Markdown link target, relative to `file`, leaves the repository.
    static func escapes(_ target: String, from file: URL) -> Bool {
        if target.hasPrefix("#") || target.contains("://") || target.hasPrefix("mailto:") { return false }
        let path = String(target.prefix { $0 != "#" })
        if path.hasPrefix("/") { return true }
        let resolved = file.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL.path
        let top = root.standardizedFileURL.path
        return !(resolved == top || resolved.hasPrefix(top + "/"))
    }

    @Test("grantledger --version prints the one version constant")
    func version() throws {
        let result = try runCLI(["--version"], store: "/nonexistent")
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == GrantLedgerCommand.version)
    }
}
