"""Outcomes for victims (issue 20): losses, compensation, confiscation, ancillary orders, the
per-defendant finalised outcome and the quarterly performance review. docs/outcomes.md."""
