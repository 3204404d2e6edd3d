"""Demo data that tells the story: sites, staff and students at every stage."""
