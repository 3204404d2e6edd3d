"""The web app manifest and the service worker, served at the site's root so its scope is all."""

from pathlib import Path

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from app.main.views import bp


@bp.route("/manifest.webmanifest")
def manifest():
    body = jsonify(
        name="Puente",
        short_name="Puente",
        description=_("Puente — portable credit for migrant students"),
        start_url=url_for("main.index"),
        scope="/",
        display="standalone",
        background_color="#f6f8fa",
        theme_color="#0b6e4f",
        icons=[
            {
                "src": url_for("static", filename=f"icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    )
    body.mimetype = "application/manifest+json"
    return body


@bp.route("/sw.js")
def service_worker():
    """The service worker (app/static/sw.js) at /, so it may keep every page of the site."""
    script = (Path(current_app.static_folder) / "sw.js").read_bytes()
    response = Response(script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.add_etag()
    return response.make_conditional(request)
