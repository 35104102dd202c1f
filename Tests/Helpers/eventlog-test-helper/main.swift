import EventLog

print("helper")
