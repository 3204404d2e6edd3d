"""Audit trail: who changed which grade, credit or record, when and why."""
