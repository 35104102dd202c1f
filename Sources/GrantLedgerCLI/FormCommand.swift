internal import ArgumentParser
internal import GrantLedger

/// `grantledger form change-approval ID [--out FILE]`, `grantledger form completion-certificate NO [--out FILE]`.
struct FormCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "form", abstract: "Printable forms.",
        subcommands: [ChangeApprovalFormCommand.self, CompletionCertificateCommand.self])

    /// Opens the store, renders one form as `account` (the operator without one) and writes it to
    /// `out`, or to standard output; a refusal prints the coded error and exits 1.
    static func print(
        _ store: StoreOptions, as account: String?, to out: String?,
        _ render: (Ledger, Viewer) throws(LedgerError) -> String
    ) throws {
        let ledger = try CLIStore.open(store, mustExist: true)
        defer { ledger.close() }
        let html: String
        do {
            html = try render(ledger, account.map(Viewer.account) ?? .everything)
        } catch {
            Terminal.err(error.errorLine)
            throw ExitStatus.rejected
        }
        try write(html, to: out)
    }

    /// Writes a rendered page to `out`, or to standard output without one.
    static func write(_ html: String, to out: String?) throws {
        if let out {
            if let failure = FileSystem.write(html, to: out) {
                Terminal.err("grantledger: cannot write \(out): \(failure)")
                throw ExitStatus.unusable
            }
        } else {
            Terminal.out(html)
            Terminal.flush()
        }
    }
}

struct ChangeApprovalFormCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change-approval",
        abstract: "The 重要事项变更审批表 of an effective change request, as one self-contained HTML page (A4).")
    @Argument(help: "The change request id.") var requestId: String
    @Option(help: "Write the page to this file instead of standard output.") var out: String?
    @Option(name: .customLong("as"), help: "Print as this account (its leader or an admin in scope).")
    var account: String?
    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        try FormCommand.print(storeOptions, as: account, to: out) { ledger, viewer throws(LedgerError) in
            try ledger.approvalForm(requestId, as: viewer).html()
        }
    }
}

struct CompletionCertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion-certificate",
        abstract: "The 结项证书 of a completed project, as one self-contained HTML page (A4).")
    @Argument(help: "The project number (项目批准号).") var projectNo: String
    @Option(help: "Write the page to this file instead of standard output.") var out: String?
    @Option(name: .customLong("as"), help: "Print as this account (the project's leader or an admin in scope).")
    var account: String?
    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        try FormCommand.print(storeOptions, as: account, to: out) { ledger, viewer throws(LedgerError) in
            try ledger.completionCertificate(projectNo, as: viewer).html()
        }
    }
}
