"""Jinja filters and globals shared by every template."""

import json
from pathlib import Path

import markdown
import nh3
from flask import Flask, current_app, g, render_template, request, url_for
from flask_babel import format_timedelta, get_locale
from markupsafe import Markup

from app.common import public_url, utcnow
from app.i18n import format_date, format_datetime
from app.labels import (
    credit_system_label,
    move_status_label,
    role_label,
    status_label,
    status_labels,
    subject_label,
    term_label,
)
from app.places import place_name
from app.timezones import local_time

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "hr",
    "sub",
    "sup",
}


def render_markdown(text: str) -> Markup:
    """Course Markdown to sanitised HTML (no raw HTML, links or images survive)."""
    html = markdown.markdown(text or "", extensions=["tables", "fenced_code"])
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes={}))


def localized(obj, field: str) -> str:
    """The `field` of a bilingual object in the current language."""
    return obj.text(field, getattr(g, "locale", "en"))


def readable_json(value) -> str:
    """JSON details as people read them: accents as they are, not \\u escapes (the page
    escapes the text as any other)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def format_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def open_points(items) -> float:
    """Points of the open (teacher-scored) items among `items`."""
    return float(sum(item.points for item in items if item.kind == "open"))


def waiting_time(delta) -> str:
    """A short, translated duration such as '3 days' for a timedelta."""
    return format_timedelta(delta, granularity="minute", threshold=1.5)


def nav_links(role) -> Markup:
    """The menu's links for `role` (None: signed out), rendered once per role, language and
    mount point: the same for every user of a role (templates/_nav_links.html)."""
    app = current_app._get_current_object()
    key = (str(role) if role else None, get_locale(), request.script_root)
    cache = app.extensions.setdefault("puente_nav_links", {})
    links = cache.get(key)
    if links is None or app.jinja_env.auto_reload:
        links = cache[key] = Markup(render_template("_nav_links.html", role=role))
    return links


def fixed_url(endpoint: str, **values) -> str:
    """`url_for` for a link that is the same on every page (a menu entry, a style sheet): built
    once per mount point, not on every page (werkzeug builds a URL in ~20 µs)."""
    app = current_app._get_current_object()
    key = (request.script_root, endpoint, *sorted(values.items()))
    cache = app.extensions.setdefault("puente_fixed_urls", {})
    url = cache.get(key)
    if url is None or app.debug:
        url = cache[key] = url_for(endpoint, **values)
    return url


def rendered_at() -> str:
    """When the page was made (UTC, ISO): the phone's outbox knows which answers are newer."""
    return utcnow().isoformat(timespec="milliseconds") + "Z"


def static_versions(app: Flask):
    """A url_defaults hook: every static URL carries its file's version (its time and size)."""
    versions: dict[str, str] = {}

    def add_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        name = values["filename"]
        if name not in versions or app.debug:
            path = Path(app.static_folder) / name
            stat = path.stat() if path.is_file() else None
            versions[name] = f"{stat.st_mtime_ns:x}{stat.st_size:x}" if stat else ""
        if versions[name]:
            values["v"] = versions[name]

    return add_version


def buffer_static_file(response):
    """Read a static file into the response (they are small) and close it, so compression
    works on bytes and no open file is left to the garbage collector."""
    if request.endpoint == "static" and response.direct_passthrough and response.status_code == 200:
        wrapped = response.response
        try:
            data = b"".join(wrapped)
        finally:
            getattr(wrapped, "close", lambda: None)()
        response.direct_passthrough = False
        response.set_data(data)
    return response


def register(app: Flask) -> None:
    app.url_defaults(static_versions(app))
    app.after_request(buffer_static_file)  # registered after Flask-Compress: it runs before
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["readable_json"] = readable_json
    app.jinja_env.filters["datetimeformat"] = lambda v: format_datetime(v, "medium") if v else ""
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["dateformat"] = lambda v: format_date(v, "medium") if v else ""
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["open_points"] = open_points
    app.jinja_env.globals["waiting_time"] = waiting_time
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["status_labels"] = status_labels
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals["subject_label"] = subject_label
    app.jinja_env.globals["credit_system_label"] = credit_system_label
    app.jinja_env.globals["term_label"] = term_label
    app.jinja_env.globals["move_status_label"] = move_status_label
    app.jinja_env.globals["place_name"] = place_name
    app.jinja_env.globals["rendered_at"] = rendered_at
    app.jinja_env.globals["nav_links"] = nav_links
    app.jinja_env.globals["fixed_url"] = fixed_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
