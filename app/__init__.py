"""Puente: the application factory, built from small named steps."""

from babel import Locale
from flask import Flask, g, has_request_context
from flask_babel import get_locale, refresh
from flask_login import current_user
from sqlalchemy.engine import make_url

from app.i18n import LOCALES, browser_language, choose_language  # noqa: F401  (re-exported)
from config import BASE_DIR, CONFIGS, INSTANCE_DIR, Config


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the Flask application for `config_class` (FLASK_CONFIG or development)."""
    import os

    config_class = config_class or CONFIGS[os.environ.get("FLASK_CONFIG", "development")]
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config_class)
    if app.config["READ_INSTANCE_CONFIG"]:
        # An absolute path: from_pyfile resolves a relative one against the app package.
        app.config.from_pyfile(str(INSTANCE_DIR / "config.py"), silent=True)
    from app.installation import check_public_base_url

    check_public_base_url(app)

    register_security(app)
    register_extensions(app)
    if app.config["CHECK_SIGNING_KEYS"]:
        from app.certificates.keys import check_signing_keys_at_start

        check_signing_keys_at_start(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_request_hooks(app)
    register_cli(app)
    from app.jobs import init_jobs

    init_jobs(app)
    return app


def select_locale() -> Locale:
    if not has_request_context():
        return LOCALES["en"]  # commands and background jobs
    signed_in = current_user and current_user.is_authenticated
    return LOCALES[choose_language(current_user.locale if signed_in else None)]


def register_security(app: Flask) -> None:
    from app import security

    security.register(app)


def register_extensions(app: Flask) -> None:
    from app import models, search  # noqa: F401  (the whole schema, for Alembic; search's SQLite fold)
    from app.extensions import api, babel, compress, csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    from app import connections

    connections.install(app, db)
    from app.page_cache import changes

    changes.install()
    dialect = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    migrate.init_app(
        app,
        db,
        directory=str(BASE_DIR / "migrations"),
        render_as_batch=True,
        include_object=models.schema_for(dialect),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    from app import i18n

    i18n.install(app)
    from app import form_rendering

    form_rendering.install()
    limiter.init_app(app)
    api.init_app(app)
    mail.init_app(app)
    compress.init_app(app)
    from app.security import CompressedETags

    app.wsgi_app = CompressedETags(app.wsgi_app)

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please sign in to see this page.")

    @login_manager.user_loader
    def load_user(session_id: str):
        # "user id:session version" (User.get_id): a session from before a sign-out or a new
        # password names an old version and no longer signs anyone in.
        from app.users.models import User

        user_id, _, version = session_id.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or user.session_version != int(version):
            return None
        return user


def register_blueprints(app: Flask) -> None:
    from app.admin import desk_views  # noqa: F401  (its routes join the admin blueprint)
    from app.admin.views import bp as admin_bp
    from app.api.views import register_api
    from app.auth.views import bp as auth_bp
    from app.certificates.views import bp as certificates_bp
    from app.certificates.views import public as verify_bp
    from app.contracts.views import bp as contracts_bp
    from app.courses.views import bp as courses_bp
    from app.credits.views import bp as credits_bp
    from app.enrollments.views import bp as enrollments_bp
    from app.grading import gradebook_views  # noqa: F401  (its routes join the grading blueprint)
    from app.grading.views import bp as grading_bp
    from app.learning.views import bp as learning_bp
    from app.main import installable  # noqa: F401  (its routes join the main blueprint)
    from app.main.views import bp as main_bp
    from app.notifications.views import bp as notifications_bp
    from app.packets.views import bp as packets_bp
    from app.pages import assign, students  # noqa: F401  (their routes join the blueprints below)
    from app.pages.family import bp as family_bp
    from app.pages.moves import bp as moves_bp
    from app.prior_courses.views import bp as prior_courses_bp
    from app.records.views import bp as records_bp
    from app.reports.views import bp as reports_bp
    from app.rosters.views import bp as rosters_bp
    from app.students.views import bp as students_bp
    from app.transfers.peer_views import bp as peer_bp
    from app.transfers.views import bp as transfers_bp
    from app.users.views import bp as users_bp

    for blueprint in (
        main_bp,
        auth_bp,
        users_bp,
        students_bp,
        courses_bp,
        enrollments_bp,
        learning_bp,
        grading_bp,
        packets_bp,
        credits_bp,
        admin_bp,
        certificates_bp,
        verify_bp,
        transfers_bp,
        peer_bp,
        records_bp,
        moves_bp,
        prior_courses_bp,
        rosters_bp,
        reports_bp,
        contracts_bp,
        notifications_bp,
        family_bp,
    ):
        app.register_blueprint(blueprint)
    register_api(app)


def register_error_handlers(app: Flask) -> None:
    from app.errors import register, register_domain_errors

    register(app)
    register_domain_errors(app)


def register_template_helpers(app: Flask) -> None:
    from app import template_helpers

    template_helpers.register(app)


def register_request_hooks(app: Flask) -> None:
    from app import security
    from app.errors import commit_or_refuse
    from app.notifications import tasks as notification_jobs
    from app.page_cache.early import serve_early

    # Registered before the commit point, so it runs after it (Flask runs these in reverse).
    notification_jobs.register(app)
    # Before the locale is chosen, which loads the user: a kept page served early needs neither.
    app.before_request(serve_early)

    @app.before_request
    def remember_locale():
        refresh()  # forget a locale cached by an earlier request in the same app context
        g.locale = str(get_locale())

    @app.after_request
    def commit_session(response):
        # The one place that commits: a request that succeeded keeps its writes (see app/errors.py).
        return commit_or_refuse(response)

    security.register_hooks(app)


def register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)
