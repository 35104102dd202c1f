import GrantLedgerCLI

await GrantLedgerCommand.runFromCommandLine()
