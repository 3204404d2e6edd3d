"""Pages kept whole once rendered, until a change to what they show is committed."""
