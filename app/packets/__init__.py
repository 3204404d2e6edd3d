"""Printable unit packets: lessons, practice with a mentor's key, the unit test and answer sheets."""
