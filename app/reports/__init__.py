"""Reports for coordinators and admins: progress, what needs attention, the program's counts."""
