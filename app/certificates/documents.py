"""Certificate PDFs: many pages per wkhtmltopdf run (a print run), one page cut out on demand.

wkhtmltopdf costs about 0.25 s to start and a few ms a page, so certificates are rendered in
runs of up to RUN_SIZE pages (about the cheapest size a page: longer documents cost more a
page). The next run's HTML is built, and the credentials signed, while wkhtmltopdf (other
processes, both cores) lays out the runs already started.
"""

import io
import json
from concurrent.futures import ThreadPoolExecutor

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter

from app.certificates.credential import verify_url
from app.certificates.disclosure import public_facts
from app.certificates.integrity import standard_form
from app.labels import CREDIT_SYSTEM_LABELS, SUBJECT_LABELS, TERM_LABELS
from app.pdf import LOCKED_DOWN, DocumentError, pdf_configuration, qr_image, render_pdf

# No local files, no JavaScript, nothing fetched (app.pdf): the HTML is self-contained (QR inlined).
PDF_OPTIONS = {
    "page-size": "Letter",
    "orientation": "Landscape",
    "margin-top": "8mm",
    "margin-bottom": "8mm",
    "margin-left": "8mm",
    "margin-right": "8mm",
    "no-outline": None,
    "disable-smart-shrinking": None,
    **LOCKED_DOWN,
}
RUN_SIZE = 250
# Level Q (25 % of the code may be lost) at 40 mm or more survives print → photocopy → phone
# photo, where level M at 27 mm did not. wkhtmltopdf prints a layout millimetre at 0.768 mm,
# so 53 layout mm print as 40.7 mm (tests/certificates/test_qr_print.py measures it).
QR_ERROR = "q"
QR_LAYOUT_MM = 53
CREDENTIAL_FILE = "credential.json"


def column_labels(language: str) -> dict[str, str]:
    """Every label of a certificate column in one language (looked up once per print run)."""
    with force_locale(language):
        return {
            "certifies": _("This certifies that"),
            "birth_date": _("Date of birth"),
            "msix_id": _("MSIX ID"),
            "completed": _("completed the course"),
            "partial_course": _("earned partial credit in the course"),
            "subject": _("Subject"),
            "units": _("Units completed"),
            "us_credit": _("US credit"),
            "partial": _("partial"),
            "us_grade": _("US grade"),
            "sep_grade": _("SEP grade (0–10)"),
            "hours": _("Hours"),
            "term": _("Term"),
            "dates": _("Dates"),
            "issued_by": _("Issued by"),
            "coordinator": _("Coordinator"),
            "of": _("of"),
            "where": _("Units done at"),
            "subjects": {key: str(label) for key, label in SUBJECT_LABELS.items()},
            "credit_systems": {key: str(label) for key, label in CREDIT_SYSTEM_LABELS.items()},
            "terms": {key: str(label) for key, label in TERM_LABELS.items()},
        }


PAGE_TEMPLATES = ("certificates/_column.html", "certificates/_page.html")


def page_templates() -> dict:
    """The page's templates, looked up once per print run (each lookup checks the file)."""
    return {name: current_app.jinja_env.get_template(name) for name in PAGE_TEMPLATES}


def certificate_html(
    cert,
    labels: dict | None = None,
    public: bool = False,
    templates: dict | None = None,
    qr: Markup | None = None,
) -> Markup:
    """One certificate page: the English and the Spanish column side by side; `public`: as
    anyone with the code sees it, without the student's private identifiers; `qr`: its
    certificate_qr, if made already."""
    labels = labels or {language: column_labels(language) for language in ("en", "es")}
    column, page = ((templates or page_templates())[name] for name in PAGE_TEMPLATES)
    facts = public_facts(cert.facts) if public else cert.facts
    columns = {
        language: Markup(
            render_template(column, facts=facts, t=labels[language], language=language)
        )
        for language in ("en", "es")
    }
    url = verify_url(cert.code)
    return Markup(
        render_template(
            page,
            cert=cert,
            columns=columns,
            url=url,
            qr=qr or certificate_qr(cert.code),
        )
    )


def certificate_qr(code: str) -> Markup:
    """The QR code of the certificate's verification address (most of a page's Python time)."""
    return qr_image(verify_url(code), QR_ERROR, QR_LAYOUT_MM)


class PrintRuns:
    """Print runs being rendered: started with `start_runs`, collected with `results`.

    wkhtmltopdf runs in other processes, so the caller signs the credentials and writes the
    records while the pages are laid out (Python and rendering overlap, on both cores)."""

    def __init__(self, runs: list[list], pool: ThreadPoolExecutor, futures: list) -> None:
        self.runs, self._pool, self._futures = runs, pool, futures

    def results(self) -> list[tuple[list, bytes]]:
        """(certificates, PDF) per print run, each PDF one page per certificate in order.

        :raises DocumentError: when wkhtmltopdf failed or made the wrong number of pages.
        """
        try:
            pdfs = [future.result() for future in self._futures]
        finally:
            self._pool.shutdown(wait=True)
        for run, pdf in zip(self.runs, pdfs, strict=True):
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            if pages != len(run):
                raise DocumentError(f"expected {len(run)} pages, wkhtmltopdf made {pages}")
        return list(zip(self.runs, pdfs, strict=True))

    def cancel(self) -> None:
        """Wait for the renders already running and drop what they made (issuing failed)."""
        for future in self._futures:
            future.cancel()
        self._pool.shutdown(wait=True)


def start_runs(certs: list, ahead=None) -> PrintRuns:
    """Start rendering `certs` in print runs of RUN_SIZE pages, two runs at a time.

    `ahead` (services.CodesAhead) gives QR codes made earlier. Each run's HTML is built while
    the run before it renders."""
    runs = [certs[i : i + RUN_SIZE] for i in range(0, len(certs), RUN_SIZE)]
    config = pdf_configuration()
    labels = {language: column_labels(language) for language in ("en", "es")}
    templates = page_templates()
    pool = ThreadPoolExecutor(max_workers=2)
    futures = []
    try:
        for run in runs:
            pages = [
                certificate_html(c, labels, templates=templates, qr=ahead and ahead.qr(c.code))
                for c in run
            ]
            html = render_template("certificates/document.html", pages=pages)
            futures.append(pool.submit(render_pdf, html, PDF_OPTIONS, config))
    except BaseException:
        PrintRuns(runs, pool, futures).cancel()
        raise
    return PrintRuns(runs, pool, futures)


def certificate_pdf(run_pdf: bytes, page_number: int, cert) -> bytes:
    """The certificate's own one-page PDF, cut from its print run, with the signed credential
    attached (as credential.json) and the verification address in its metadata."""
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(run_pdf)).pages[page_number - 1])
    writer.add_metadata(
        {
            "/Title": f"Certificate {cert.serial} / Certificado {cert.serial}",
            "/Subject": verify_url(cert.code),
            "/Creator": current_app.config["INSTALLATION_NAME"],
        }
    )
    shared = json.dumps(standard_form(cert.credential), ensure_ascii=False)
    writer.add_attachment(CREDENTIAL_FILE, shared.encode())
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
