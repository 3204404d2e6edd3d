"""JSON from outside (uploads, pasted packages): bounded in size and nesting before use."""

import json

from flask_babel import gettext as _

MAX_BYTES = 5_000_000  # a transfer package is tens of kilobytes
MAX_DEPTH = 32  # the transfer package schema nests five levels


class UnsafeJsonError(ValueError):
    """The text is not JSON, or too large or too deeply nested to read; the message says which."""


def depth_of(value) -> int:
    """How deeply `value` nests lists and objects (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in children)
    return deepest


def load_json(raw: bytes | str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH):
    """Parse `raw`, refusing more than `max_bytes` or more than `max_depth` levels of nesting.

    :raises UnsafeJsonError: with a translated message for the user.
    """
    if len(raw) > max_bytes:
        raise UnsafeJsonError(
            _("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1_000_000, 1))
        )
    if (b"\\u0000" if isinstance(raw, bytes) else "\\u0000") in raw:
        raise UnsafeJsonError(_("The file contains a NUL character, which is not allowed."))
    try:
        value = json.loads(raw)
    except RecursionError as error:
        raise UnsafeJsonError(_("The JSON is nested too deeply to be a Puente file.")) from error
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, an integer too long
        raise UnsafeJsonError(_("The file is not JSON: %(error)s.", error=str(error))) from error
    if depth_of(value) > max_depth:
        raise UnsafeJsonError(_("The JSON is nested too deeply to be a Puente file."))
    return value
