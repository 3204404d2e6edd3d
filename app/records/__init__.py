"""Record documents made from a student's record: the Binational Transfer Document, course history."""
