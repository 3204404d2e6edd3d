"""wkhtmltopdf kept running between documents: its start-up is paid once per process.

wkhtmltopdf takes one command line per document on stdin (`--read-args-from-stdin`), each
written by pdfkit; its Qt, WebKit and fonts stay loaded, so a one-page certificate costs a
fifth of what a fresh wkhtmltopdf would. Each process keeps a few renderers (two print runs
render at once), replaces one after MAX_USES documents or when it stops, and ends one left
unused for IDLE_SECONDS (a web worker that printed one sign-in sheet gives its memory back). A
document's HTML and PDF pass through files in a folder only this process may read, deleted
once read.
"""

import atexit
import contextlib
import os
import re
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from itertools import count
from pathlib import Path

import pdfkit

MAX_USES = 200  # WebKit's caches grow a little with each document
KEPT = 2  # renderers kept waiting, per process
TIMEOUT = 600  # seconds one document may take (a 250-page print run takes a few)
IDLE_SECONDS = 300
# What wkhtmltopdf says, on a line of its own, once the document's PDF is written.
_DONE = re.compile(rb"(?:^|[\r\n])Done\s*[\r\n]")
# What it says of a part of the document it could not load (a blocked file, a refused fetch).
_REFUSED = re.compile(r"Blocked access|Failed to load|Error:")


class RendererError(OSError):
    """wkhtmltopdf stopped or failed to make the document (what it said is the message)."""


class RendererStoppedError(RendererError):
    """wkhtmltopdf was not running, or stopped while making the document."""


class Renderer:
    """One wkhtmltopdf waiting for command lines, used by one thread at a time."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.uses = 0
        self.last_used = time.monotonic()
        self._folder = Path(tempfile.mkdtemp(prefix="puente-pdf-"))
        self._names = count()
        try:
            self._process = subprocess.Popen(
                [binary, "--read-args-from-stdin"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise RendererError(f"wkhtmltopdf could not start: {error}") from error

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def render(self, html: str, options: dict, configuration) -> bytes:
        """The PDF of `html` with these wkhtmltopdf `options` (pdfkit's option names).

        :raises RendererError: when wkhtmltopdf stops, reports no success or takes too long.
        """
        self.uses += 1
        number = next(self._names)
        source, target = self._folder / f"{number}.html", self._folder / f"{number}.pdf"
        source.write_text(html, encoding="utf-8")
        try:
            # At the info level wkhtmltopdf says "Done" when the PDF is written.
            options = {**{k: v for k, v in options.items() if k != "quiet"}, "log-level": "info"}
            args = pdfkit.PDFKit(
                str(source), "file", options=options, configuration=configuration, verbose=True
            ).command(str(target))[1:]
            if any(not a or any(ch.isspace() or ch in "\"'\\" for ch in a) for a in args):
                raise RendererError(f"wkhtmltopdf arguments must be single words: {args}")
            said = self._send(" ".join(args) + "\n")
            if _REFUSED.search(said):  # as a fresh wkhtmltopdf fails such a document
                raise RendererError(f"wkhtmltopdf could not load all of the document: {said}")
            if not target.exists():
                raise RendererError(f"wkhtmltopdf made no PDF: {said}")
            return target.read_bytes()
        finally:
            source.unlink(missing_ok=True)
            target.unlink(missing_ok=True)

    def _send(self, line: str) -> str:
        """Write one command line and wait for wkhtmltopdf to say it is done."""
        try:
            self._process.stdin.write(line.encode())
            self._process.stdin.flush()
        except OSError as error:
            raise RendererStoppedError(f"wkhtmltopdf stopped: {self._said(b'')}") from error
        said = b""
        deadline = time.monotonic() + TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stderr, selectors.EVENT_READ)
            while not _DONE.search(said, max(0, len(said) - 4096)):
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise RendererError(f"wkhtmltopdf took over {TIMEOUT} s: {self._said(said)}")
                chunk = os.read(self._process.stderr.fileno(), 65536)
                if not chunk:
                    raise RendererStoppedError(f"wkhtmltopdf stopped: {self._said(said)}")
                said += chunk
        return self._said(said)

    def _said(self, said: bytes) -> str:
        lines = said.decode(errors="replace").replace("\r", "\n").splitlines()
        return " / ".join(line.strip() for line in lines if line.strip() and "%" not in line)

    def close(self) -> None:
        # wkhtmltopdf ends when its input does; if it had stopped, nothing unwritten matters
        with contextlib.suppress(OSError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stderr.close()
        shutil.rmtree(self._folder, ignore_errors=True)


class _Kept:
    """The renderers waiting in this process (a forked child starts with none: see below)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.renderers: list[Renderer] = []
        self.reaping = False  # the thread that ends idle renderers is running


_kept = _Kept()


def _forget_after_fork() -> None:
    """In a forked child: drop the parent's renderers (closing our copies of their pipes, so
    the parent can still end them) and its lock (another thread may have held it)."""
    for renderer in _kept.renderers:
        for pipe in (renderer._process.stdin, renderer._process.stderr):
            with contextlib.suppress(OSError):
                pipe.close()
    _kept.lock = threading.Lock()
    _kept.renderers, _kept.reaping = [], False  # a fork copies no thread


os.register_at_fork(after_in_child=_forget_after_fork)


def _take(binary: str) -> Renderer:
    unfit = []
    with _kept.lock:
        found = None
        for renderer in list(_kept.renderers):
            _kept.renderers.remove(renderer)
            if renderer.binary == binary and renderer.alive:
                found = renderer
                break
            unfit.append(renderer)
    for renderer in unfit:
        renderer.close()
    return found or Renderer(binary)


def _give_back(renderer: Renderer) -> None:
    renderer.last_used = time.monotonic()
    with _kept.lock:
        if renderer.alive and renderer.uses < MAX_USES and len(_kept.renderers) < KEPT:
            _kept.renderers.append(renderer)
            if not _kept.reaping:
                _kept.reaping = True
                threading.Thread(target=_end_idle, name="pdf-idle", daemon=True).start()
            return
    renderer.close()


def _end_idle() -> None:
    """Every minute, end the renderers unused for IDLE_SECONDS."""
    while True:
        time.sleep(min(60, IDLE_SECONDS))
        close_idle(IDLE_SECONDS)


def close_idle(seconds: float) -> int:
    """End the kept renderers unused for `seconds`; how many ended."""
    now = time.monotonic()
    with _kept.lock:
        idle = [r for r in _kept.renderers if now - r.last_used >= seconds]
        _kept.renderers = [r for r in _kept.renderers if r not in idle]
    for renderer in idle:
        renderer.close()
    return len(idle)


def render_warm(html: str, options: dict, configuration) -> bytes:
    """The PDF of `html`, made by a wkhtmltopdf of this process already running (or started).
    A kept one found stopped (killed while it waited) is replaced and the document made again.

    :raises RendererError: when wkhtmltopdf fails (that renderer is not used again).
    """
    renderer = _take(configuration.wkhtmltopdf)
    try:
        pdf = renderer.render(html, options, configuration)
    except RendererStoppedError:
        renderer.close()
        if renderer.uses == 1:
            raise  # a fresh wkhtmltopdf stopped: the document or the binary is at fault
        renderer = Renderer(configuration.wkhtmltopdf)
        try:
            pdf = renderer.render(html, options, configuration)
        except BaseException:
            renderer.close()
            raise
    except BaseException:
        renderer.close()
        raise
    _give_back(renderer)
    return pdf


def kept_cpu_seconds() -> float:
    """CPU seconds (user + system) the renderers kept in this process have used so far, read
    from /proc (Linux; bench/ adds it to the finished children's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    with _kept.lock:
        pids = [r._process.pid for r in _kept.renderers if r.alive]
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@atexit.register
def close_all() -> None:
    """End this process's renderers (each also ends by itself when this process's pipe closes)."""
    with _kept.lock:
        renderers, _kept.renderers = _kept.renderers, []
    for renderer in renderers:
        renderer.close()
