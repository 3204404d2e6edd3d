"""Grading: the queue, online grading, paper scores, returns and regrades."""
