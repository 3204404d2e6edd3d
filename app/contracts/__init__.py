"""Contract of study: what a student undertakes with their mentor, and a running record of it."""
