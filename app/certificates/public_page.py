"""A certificate's public page fragment (its two columns and QR code) made once per process, and
the validators of a certificate's representations, which change when it is revoked or replaced."""

from collections import OrderedDict
from threading import Lock

from flask import current_app
from markupsafe import Markup

from app.certificates.disclosure import has_clear_identifiers
from app.certificates.documents import certificate_html
from app.http_cache import validator

# A fragment is ~10 KB (most of it the QR code's SVG): the most-checked certificates stay.
CACHE_SIZE = 500
_lock = Lock()


def revision(cert, replaces=None) -> tuple:
    """What can still change in what a certificate's addresses answer: its revocation, and the
    certificates it was replaced by or replaces. The rest was frozen when it was issued."""
    return (
        cert.id,
        cert.code,
        cert.revoked_at,
        cert.revoke_reason,
        cert.replaced_by_id,
        replaces.id if replaces is not None else None,
    )


def certificate_etag(kind: str, cert, replaces=None, *extra) -> str:
    """The validator of one representation (`kind`) of `cert` in this build."""
    return validator(kind, *revision(cert, replaces), *extra)


def _kept(name: str, cert, make):
    """`make(cert)`, made once per certificate and kept in a bounded LRU of this app."""
    cache = current_app.extensions.setdefault(name, OrderedDict())
    key = (cert.id, cert.code, cert.serial, cert.issued_at)
    with _lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    value = make(cert)
    with _lock:
        cache[key] = value
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return value


def public_certificate_html(cert) -> Markup:
    """The certificate as anyone with its code sees it: rendered on first use, then kept (the
    facts, code and serial never change; the status around it is rendered live)."""
    return _kept("puente_certificate_pages", cert, lambda c: certificate_html(c, public=True))


def is_shareable(cert) -> bool:
    """Whether its signed credential may be given out publicly (disclosure.py), known without
    loading the credential again (it never changes)."""
    return _kept(
        "puente_certificate_shareable", cert, lambda c: not has_clear_identifiers(c.credential)
    )
