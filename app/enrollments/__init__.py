"""Enrollments: courses assigned to students, with per-unit progress."""
