"""Course content packages: format, validation, import and catalogue."""
