"""Certificates test helpers: a student with awarded credit, and reading PDFs back."""

import subprocess
import tempfile
from pathlib import Path

from app.credits.services import award_credit
from tests import factories


def awarded(world, site="tx1", passed=5, coordinator="coord_tx", **student):
    """A credit award for a new student at `site` who passed `passed` of the 5 units."""
    student = factories.make_student(world[site], **student)
    enrollment = factories.make_enrollment(student, world["course"])
    for progress in enrollment.units[:passed]:
        factories.pass_unit(progress, open_points=1.0)  # 3 of 4 points: 75 %
    return award_credit(enrollment, world[coordinator])


def pdf_text(pdf: bytes, layout: bool = True) -> str:
    """The PDF's text: laid out as printed, or (layout=False) in reading order, column by column."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        args = ["pdftotext", *(["-layout"] if layout else []), handle.name, "-"]
        return subprocess.run(args, capture_output=True, check=True, text=True).stdout


def pdf_image_shapes(pdf: bytes) -> list[tuple[int, int, int, int]]:
    """(width, height, x-ppi, y-ppi) of every image drawn in the PDF (poppler's pdfimages)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        listing = subprocess.run(
            ["pdfimages", "-list", handle.name], capture_output=True, text=True, check=True
        ).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    return [(int(r[3]), int(r[4]), int(r[12]), int(r[13])) for r in rows]


def pdf_qr_codes(pdf: bytes) -> list[str]:
    """Every QR code zbarimg finds on the PDF's pages rendered at 200 dpi."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "c.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "200", "-png", source, Path(folder) / "page"], check=True)
        found = []
        for image in sorted(Path(folder).glob("page*.png")):
            result = subprocess.run(
                ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", image],
                capture_output=True,
                text=True,
            )
            found += result.stdout.split()
        return found


def pdf_pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
