"""Certificate PDFs: many pages per wkhtmltopdf run, split into one PDF each with the credential."""

import io
import json

import pdfkit
import segno
from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter

from app.certificates.credential import verify_url

# No local files, no JavaScript, nothing fetched: the HTML is self-contained (QR inlined).
PDF_OPTIONS = {
    "page-size": "Letter",
    "orientation": "Landscape",
    "margin-top": "8mm",
    "margin-bottom": "8mm",
    "margin-left": "8mm",
    "margin-right": "8mm",
    "encoding": "UTF-8",
    "disable-local-file-access": None,
    "disable-javascript": None,
    "disable-external-links": None,
    "no-outline": None,
    "disable-smart-shrinking": None,
    "quiet": None,
}
BATCH_SIZE = 250
CREDENTIAL_FILE = "credential.json"


class DocumentError(RuntimeError):
    """wkhtmltopdf failed or produced the wrong number of pages."""


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").png_data_uri(scale=6, border=2)


def certificate_html(cert) -> str:
    """One certificate page: the English and the Spanish column side by side."""
    columns = {}
    for language in ("en", "es"):
        with force_locale(language):
            columns[language] = Markup(render_template(
                "certificates/_column.html", facts=cert.facts, cert=cert, language=language
            ))  # fmt: skip
    return Markup(render_template(
        "certificates/_page.html", cert=cert, columns=columns,
        url=verify_url(cert.code), qr=qr_data_uri(verify_url(cert.code)),
    ))  # fmt: skip


def render_pages(certs: list) -> list[bytes]:
    """One PDF (bytes) per certificate, each carrying its signed credential as an attachment."""
    pdfs: list[bytes] = []
    for start in range(0, len(certs), BATCH_SIZE):
        batch = certs[start : start + BATCH_SIZE]
        html = render_template(
            "certificates/document.html", pages=[certificate_html(c) for c in batch]
        )
        combined = _wkhtmltopdf(html)
        reader = PdfReader(io.BytesIO(combined))
        if len(reader.pages) != len(batch):
            raise DocumentError(
                f"expected {len(batch)} pages, wkhtmltopdf made {len(reader.pages)}"
            )
        for page, cert in zip(reader.pages, batch, strict=True):
            pdfs.append(_single(page, cert))
    return pdfs


def _wkhtmltopdf(html: str) -> bytes:
    config = pdfkit.configuration(wkhtmltopdf=current_app.config["WKHTMLTOPDF"])
    try:
        return pdfkit.from_string(html, False, options=PDF_OPTIONS, configuration=config)
    except OSError as error:
        raise DocumentError(str(error)) from error


def _single(page, cert) -> bytes:
    writer = PdfWriter()
    writer.add_page(page)
    writer.add_metadata({
        "/Title": f"Certificate {cert.serial} / Certificado {cert.serial}",
        "/Subject": verify_url(cert.code),
        "/Creator": current_app.config["INSTALLATION_NAME"],
    })  # fmt: skip
    writer.add_attachment(CREDENTIAL_FILE, json.dumps(cert.credential, ensure_ascii=False).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def credential_from_pdf(data: bytes) -> dict:
    """The signed credential attached to a certificate PDF."""
    reader = PdfReader(io.BytesIO(data))
    attachments = reader.attachments.get(CREDENTIAL_FILE)
    if not attachments:
        raise ValueError("the PDF has no attached credential.json")
    return json.loads(attachments[0])
