/// The NSSF workflow.
