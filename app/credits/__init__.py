"""Credit: course grade, grade scales and full or partial credit awards."""
