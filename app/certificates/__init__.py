"""Portable credit certificates: bilingual PDF, signed Open Badges credential, public verification."""
