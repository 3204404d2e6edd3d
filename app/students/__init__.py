"""Student records: identity, kind and site."""
