import GrantLedgerCLI

GrantLedgerCommand.runFromCommandLine()
