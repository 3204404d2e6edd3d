"""HTML to PDF with wkhtmltopdf, locked down: no local files, no JavaScript, nothing fetched."""

import pdfkit
import segno
from flask import current_app
from markupsafe import Markup

# Every document's HTML is self-contained (inline CSS, SVG, system fonts): wkhtmltopdf may
# read no local file, run no script and follow no link; should anything try to fetch, it
# goes through a proxy on a closed local port.
LOCKED_DOWN = {
    "encoding": "UTF-8",
    "disable-local-file-access": None,
    "disable-javascript": None,
    # With no script to wait for, wkhtmltopdf's default 200 ms pause after loading is idle
    # time: two-thirds of a one-page render.
    "javascript-delay": "0",
    "disable-external-links": None,
    "proxy": "http://127.0.0.1:9",
    "quiet": None,
}


class DocumentError(RuntimeError):
    """wkhtmltopdf failed or produced the wrong number of pages."""


def pdf_configuration():
    """The wkhtmltopdf binary of this installation (read in the app context, usable anywhere)."""
    return pdfkit.configuration(wkhtmltopdf=current_app.config["WKHTMLTOPDF"])


def render_pdf(html: str, options: dict, configuration=None) -> bytes:
    """The PDF of `html`: page `options` (size, margins, ...) on top of LOCKED_DOWN.

    :param configuration: from pdf_configuration(); required outside the app context (threads).
    """
    try:
        return pdfkit.from_string(
            html,
            False,
            options={**options, **LOCKED_DOWN},
            configuration=configuration or pdf_configuration(),
        )
    except OSError as error:
        raise DocumentError(str(error)) from error


def qr_svg(url: str, error: str = "m", size_mm: float | None = None) -> Markup:
    """The QR code as inline SVG (vector, nothing to fetch), at error correction `error`;
    with `size_mm`, its modules span that many millimetres (plus a 4-module quiet zone).

    A fixed mask pattern is as valid as the "best" one and ten times faster to make.
    """
    qr = segno.make(url, error=error, mask=0, boost_error=False)
    if size_mm is None:
        return Markup(qr.svg_inline(scale=4, border=2))
    modules = qr.symbol_size(border=0)[0]
    return Markup(qr.svg_inline(scale=size_mm / modules, border=4, unit="mm"))
