"""Student unit work: lessons, practice and unit tests, with autosave."""
