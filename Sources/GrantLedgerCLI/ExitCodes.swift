internal import ArgumentParser
internal import GrantLedger
internal import GrantWorkflow

/// Exit statuses of docs/cli.md: 0 all well, 1 a command rejected or a query refused, 2 input unreadable
/// or store unopenable.
enum ExitStatus {
    static let rejected = ExitCode(1)
    static let unusable = ExitCode(2)
}

extension LedgerError {
    /// The error as the one-line JSON document a failed query prints on standard error.
    var errorLine: String {
        JSONValue.object([("error", json)]).serialized()
    }
}
