"""The AML officer's annual report, record retention and the audit log of views and exports."""
