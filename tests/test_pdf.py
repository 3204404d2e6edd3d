"""PDFs from wkhtmltopdf, kept running or started per document: locked down either way (no
local file read, nothing fetched), and a kept renderer serves many documents and is replaced
when it stops."""

import os
import re
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app import warm_pdf
from app.pdf import DocumentError, render_pdf

OPTIONS = {"page-size": "A4"}


def _refused(html: str) -> str:
    """Why wkhtmltopdf refused the document: it could not load a part of it (as it must not)."""
    with pytest.raises(DocumentError) as refused:
        render_pdf(html, OPTIONS)
    return str(refused.value)


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture(autouse=True)
def no_renderer_kept():
    warm_pdf.close_all()  # each test starts with none kept by the tests before it
    yield
    warm_pdf.close_all()


@pytest.fixture(params=[True, False], ids=["kept-running", "one-per-document"])
def keep_warm(request, app, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_KEEP_WARM", request.param)
    return request.param


def test_a_document_reads_no_local_file(app, keep_warm, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text("<p>SECRET-TOKEN-4711</p>")
    html = (
        f'<p>before</p><iframe src="file://{secret}"></iframe><object data="file://{secret}">'
        f'</object><img src="file://{secret}"><p>after</p>'
    )
    why = _refused(html)
    assert re.search("Blocked access|network error", why), why
    assert "SECRET-TOKEN-4711" not in why
    assert "next" in _text(render_pdf("<p>next</p>", OPTIONS))  # the refusal broke nothing


def test_a_document_fetches_nothing(app, keep_warm):
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<p>FETCHED</p>")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        html = (
            f'<p>page</p><iframe src="{url}/frame"></iframe><img src="{url}/image.png">'
            f'<link rel="stylesheet" href="{url}/style.css">'
        )
        why = _refused(html)
    finally:
        server.shutdown()
        server.server_close()
    assert re.search("Failed to load|network error", why), why
    assert asked == []


def _kept_pids() -> list[int]:
    return [renderer._process.pid for renderer in warm_pdf._kept.renderers]


def test_a_kept_renderer_serves_one_document_after_another(app):
    first = _text(render_pdf("<p>Primero ñandú</p>", OPTIONS))
    pids = _kept_pids()
    second = _text(render_pdf("<p>Second page</p>", OPTIONS))
    assert "Primero ñandú" in first and "Second page" in second
    assert len(pids) == 1 and _kept_pids() == pids  # the same wkhtmltopdf, still running


def test_a_renderer_that_stopped_is_replaced(app):
    render_pdf("<p>one</p>", OPTIONS)
    (pid,) = _kept_pids()
    os.kill(pid, signal.SIGKILL)
    assert "two" in _text(render_pdf("<p>two</p>", OPTIONS))
    assert _kept_pids() and pid not in _kept_pids()


def test_a_renderer_is_replaced_after_its_last_use(app, monkeypatch):
    monkeypatch.setattr(warm_pdf, "MAX_USES", 2)
    render_pdf("<p>one</p>", OPTIONS)
    (pid,) = _kept_pids()
    render_pdf("<p>two</p>", OPTIONS)  # its second use: closed, not kept
    assert _kept_pids() == []
    render_pdf("<p>three</p>", OPTIONS)
    assert _kept_pids() and pid not in _kept_pids()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_broken_wkhtmltopdf_fails_with_why(app, keep_warm, monkeypatch):
    monkeypatch.setitem(app.config, "WKHTMLTOPDF", "/bin/false")
    with pytest.raises(DocumentError, match="wkhtmltopdf"):
        render_pdf("<p>never</p>", OPTIONS)


def test_a_renderer_left_unused_ends(app):
    render_pdf("<p>one</p>", OPTIONS)
    (pid,) = _kept_pids()
    assert warm_pdf.close_idle(3600) == 0 and _kept_pids() == [pid]  # used just now: kept
    assert warm_pdf.close_idle(0) == 1 and _kept_pids() == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_forked_child_lets_the_parent_end_its_renderers(app):
    render_pdf("<p>one</p>", OPTIONS)
    (renderer,) = warm_pdf._kept.renderers
    told, tell = os.pipe()
    child = os.fork()
    if child == 0:  # the child: holds none of the parent's renderers, and stays up a while
        os.write(tell, str(len(warm_pdf._kept.renderers)).encode())
        signal.sigtimedwait([signal.SIGTERM], 30)
        os._exit(0)
    try:
        assert os.read(told, 8) == b"0"
        warm_pdf.close_all()
        assert renderer._process.returncode == 0  # ended by its input's end, not killed
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(told)
        os.close(tell)
