"""Move notices: a family reports a move; staff where the student is going receive them."""
