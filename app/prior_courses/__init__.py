"""Courses a student took in Mexico (secundaria, bachillerato) and the US placement they suggest."""
