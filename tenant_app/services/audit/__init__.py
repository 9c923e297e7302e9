"""Reading the audit trail: chain verification, the log, its exports, labels, auditors' access."""
