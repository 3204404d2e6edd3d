"""Administration: user accounts and sites (admins only)."""
