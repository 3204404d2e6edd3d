"""Test-only shim: register the admin blueprint until app/__init__.py does it itself.

Imported at collection time (before the session `app` fixture builds the app), it wraps the
factory's register_blueprints step; once the factory registers `admin`, it does nothing.
"""

import app as app_package
from app.admin.views import bp as admin_bp

_register_blueprints = app_package.register_blueprints


def _register_with_admin(flask_app) -> None:
    _register_blueprints(flask_app)
    if "admin" not in flask_app.blueprints:
        flask_app.register_blueprint(admin_bp)


if not getattr(_register_blueprints, "registers_admin", False):
    _register_with_admin.registers_admin = True
    app_package.register_blueprints = _register_with_admin
