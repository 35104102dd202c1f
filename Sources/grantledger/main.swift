import GrantLedgerCLI

GrantLedgerCommand.main()
