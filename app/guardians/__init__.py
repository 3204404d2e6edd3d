"""Guardians: parent or guardian accounts linked to the students they may follow."""
