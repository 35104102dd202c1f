import GrantLedgerCLI

print("grantledger")
