"""Pages that combine areas (the student record, moves and incoming students), at the top of
the dependency order: they gather plain data from the domains' services."""
