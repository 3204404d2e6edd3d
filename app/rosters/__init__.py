"""OneRoster 1.2 CSV roster import: sites, students, classes and enrollments, all or nothing."""
