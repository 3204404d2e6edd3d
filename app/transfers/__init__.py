"""Records that move between installations: signed transfer packages, trust, peer exchange."""
