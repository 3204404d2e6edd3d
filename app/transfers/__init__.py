"""Records that move with the student: signed transfer packages between sites and installations."""
