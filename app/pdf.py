"""HTML to PDF with wkhtmltopdf, locked down: no local files, no JavaScript, nothing fetched."""

import base64
import io

import pdfkit
import zxingcpp
from flask import current_app
from markupsafe import Markup
from PIL import Image, ImageOps

from app.warm_pdf import render_warm

# Every document's HTML is self-contained (inline CSS, images, system fonts): wkhtmltopdf may
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
    """The wkhtmltopdf binary of this installation, and whether to keep it running between
    documents (read in the app context, usable anywhere)."""
    configuration = pdfkit.configuration(wkhtmltopdf=current_app.config["WKHTMLTOPDF"])
    configuration.keep_warm = current_app.config["PDF_KEEP_WARM"]
    return configuration


def render_pdf(html: str, options: dict, configuration=None) -> bytes:
    """The PDF of `html`: page `options` (size, margins, ...) on top of LOCKED_DOWN.

    :param configuration: from pdf_configuration(); required outside the app context (threads).
    """
    configuration = configuration or pdf_configuration()
    options = {**options, **LOCKED_DOWN}
    try:
        if getattr(configuration, "keep_warm", False):
            return render_warm(html, options, configuration)
        return pdfkit.from_string(html, False, options=options, configuration=configuration)
    except OSError as error:
        raise DocumentError(str(error)) from error


def qr_image(url: str, error: str = "m", size_mm: float | None = None) -> Markup:
    """The QR code as an inline PNG image (nothing to fetch), at error correction `error`,
    one pixel a module; with `size_mm`, its modules span that many millimetres (plus a
    4-module quiet zone), else each is 4 px (plus 2 modules).

    wkhtmltopdf lays out a small image in a small part of the time the same code drawn as
    SVG paths takes (about 2 of a certificate page's 8 ms), and the PDF keeps it pixel for
    pixel (drawn unsmoothed, its greys within 4 % of black and white), so it prints as sharp;
    zxing-cpp makes the code in a sixth of the time pure Python (segno) did.
    """
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level=error.upper())
    modules = code.to_image(scale=1, add_quiet_zones=False)
    height, width = modules.shape[:2]
    border = 2 if size_mm is None else 4
    image = ImageOps.expand(
        Image.frombuffer("L", (width, height), bytes(modules), "raw", "L", 0, 1).convert("1"),
        border=border,
        fill=1,
    )
    png = io.BytesIO()
    image.save(png, format="PNG")
    source = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    if size_mm is None:
        pixels = (width + 2 * border) * 4
        return Markup(
            '<img class="qr-code" alt="QR" src="{}" width="{}" height="{}" '
            'style="image-rendering:pixelated">'
        ).format(source, pixels, pixels)
    size = f"{size_mm * (width + 2 * border) / width:.3f}mm"
    return Markup(
        '<img class="qr-code" alt="QR" src="{}" style="width:{};height:{};image-rendering:pixelated">'
    ).format(source, size, size)
