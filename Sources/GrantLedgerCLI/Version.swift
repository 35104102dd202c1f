extension GrantLedgerCommand {
    /// The release this build is: what `grantledger --version` prints.
    public static let version = "0.1.0"
}
