"""Notifications: what happened that someone should know, on a page and by email."""
