"""Admin tests: make sure the admin blueprint is registered (see registration.py)."""

from tests.admin import registration  # noqa: F401
