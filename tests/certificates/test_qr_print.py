"""The certificate's QR code survives paper: at least 40 mm, error correction Q, and it still
decodes after ImageMagick makes the page look photocopied and photographed."""

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from app.certificates.documents import certificate_html
from app.certificates.services import issue_certificate, load_certificate_pdf
from tests.certificates.helpers import awarded

# Debian's imagemagick (Makefile system-deps); its `convert` may be shadowed on PATH.
MAGICK = next(
    (tool for tool in ("magick", "convert-im6.q16", "convert-im6") if shutil.which(tool)), None
)
DPI = 300


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _zbar(image: Path) -> list[str]:
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", image],
        capture_output=True,
        text=True,
    )
    return result.stdout.split()


@pytest.fixture
def certificate_page(world, tmp_path):
    assert MAGICK, "install Debian imagemagick (make system-deps)"
    cert = issue_certificate(awarded(world), world["coord_tx"])
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(load_certificate_pdf(cert))
    return cert, pdf


def test_the_qr_code_prints_at_least_40_mm(certificate_page, tmp_path):
    _cert, pdf = certificate_page
    _run("pdftoppm", "-r", str(DPI), "-gray", "-singlefile", pdf, tmp_path / "page")
    # The footer's right-hand corner, inside the page frame: the QR code's dark modules, trimmed.
    box = _run(
        MAGICK,
        tmp_path / "page.pgm",
        "-crop",
        "850x700+2300+1650",
        "+repage",
        "-negate",
        "-threshold",
        "50%",
        "-trim",
        "-format",
        "%w %h",
        "info:",
    )
    width, height = (int(v) / DPI * 25.4 for v in box.split())
    assert width >= 40 and height >= 40, (width, height)
    assert width < 45 and abs(width - height) < 1  # the code, not the frame or the text


def test_the_qr_code_is_at_level_q(certificate_page):
    cert, _pdf = certificate_page
    url = f"https://puente.example.org/verify/{cert.code}"
    png = re.search(r'src="data:image/png;base64,([^"]+)"', str(certificate_html(cert))).group(1)
    drawn = Image.open(io.BytesIO(base64.b64decode(png))).convert("L")
    read = zxingcpp.read_barcode(drawn.resize((drawn.width * 8,) * 2, Image.Resampling.NEAREST))
    assert (read.text, read.ec_level) == (url, "Q")


def test_the_qr_code_decodes_after_photocopy_and_phone_photo(certificate_page, tmp_path):
    cert, pdf = certificate_page
    _run("pdftoppm", "-r", "100", "-gray", "-singlefile", pdf, tmp_path / "scan")
    degraded = tmp_path / "degraded.png"
    _run(
        MAGICK,
        tmp_path / "scan.pgm",
        "-colorspace",
        "Gray",
        "-blur",
        "0x1",
        "-attenuate",
        "0.6",
        "+noise",
        "Gaussian",
        "-background",
        "white",
        "-rotate",
        "2.5",
        degraded,
    )
    assert _zbar(degraded) == [f"https://puente.example.org/verify/{cert.code}"]
