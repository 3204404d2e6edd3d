"""One TOML file read for validation: its data, and the line on which each key or table is set."""

import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEYS = rf"{_PART}(?:\s*\.\s*{_PART})*"
ARRAY_HEADER_RE = re.compile(rf"^\s*\[\[\s*({_KEYS})\s*\]\]\s*(?:#.*)?$")
TABLE_HEADER_RE = re.compile(rf"^\s*\[\s*({_KEYS})\s*\]\s*(?:#.*)?$")
KEY_RE = re.compile(rf"^\s*({_KEYS})\s*=")
SPLIT_RE = re.compile(_PART)
ERROR_AT_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
ERROR_AT_END_RE = re.compile(r"\s*\(at end of document\)\s*$")

KeyPath = tuple[str | int, ...]


def _split(keys: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in SPLIT_RE.findall(keys))


class TomlSource:
    """A TOML file: `data` (None when unreadable) and `line_of(*path)` for reporting.

    A key path names tables, array-of-tables indexes (0-based) and keys, e.g.
    `("test", 2, "answer")` is `answer` inside the third `[[test]]` table.
    """

    def __init__(self, path: Path, name: str):
        self.name = name
        self.data: dict[str, Any] | None = None
        self.error: tuple[int, str] | None = None
        self.text = ""
        try:
            self.text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            self.error = (1, _("file is missing"))
            return
        except (UnicodeDecodeError, IsADirectoryError):
            self.error = (1, _("file is not UTF-8 text"))
            return
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            self.error = _syntax_error(error, max(len(self.text.splitlines()), 1))

    @cached_property
    def raw_lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def _key_lines(self) -> dict[KeyPath, int]:
        """Map every key path set in the file to the first line that sets it."""
        found: dict[KeyPath, int] = {}
        arrays: dict[KeyPath, int] = {}
        context: KeyPath = ()
        in_string: str | None = None
        for number, raw in enumerate(self.raw_lines, start=1):
            if in_string:
                if raw.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if match := ARRAY_HEADER_RE.match(raw):
                parts = _split(match.group(1))
                base = self._resolve(parts[:-1], arrays) + (parts[-1],)
                arrays[base] = arrays.get(base, 0) + 1
                context = base + (arrays[base] - 1,)
                found.setdefault(context, number)
            elif match := TABLE_HEADER_RE.match(raw):
                context = self._resolve(_split(match.group(1)), arrays)
                found.setdefault(context, number)
            elif match := KEY_RE.match(raw):
                found.setdefault(context + _split(match.group(1)), number)
            for quote in ('"""', "'''"):
                if raw.count(quote) % 2 == 1:
                    in_string = quote
        return found

    @staticmethod
    def _resolve(parts: tuple[str, ...], arrays: dict[KeyPath, int]) -> KeyPath:
        """Turn `a.b` into `(a, <current index of a>, b)` where `a` is an array of tables."""
        path: KeyPath = ()
        for part in parts:
            path += (part,)
            if path in arrays:
                path += (arrays[path] - 1,)
        return path

    def line_of(self, *path: str | int) -> int:
        """The line that sets `path`; else the first line inside it; else that of its parent."""
        lines = self._key_lines
        while path:
            if path in lines:
                return lines[path]
            inside = [line for key, line in lines.items() if key[: len(path)] == path]
            if inside:
                return min(inside)
            path = path[:-1]
        return 1

    def line_of_match(self, start: int, pattern: str, nth: int = 0) -> int:
        """The line of the `nth` (0-based) match of regex `pattern` at or after `start`."""
        regex = re.compile(pattern)
        seen = 0
        for number in range(start, len(self.raw_lines) + 1):
            seen += len(regex.findall(self.raw_lines[number - 1]))
            if seen > nth:
                return number
        return start


def _syntax_error(error: tomllib.TOMLDecodeError, last_line: int) -> tuple[int, str]:
    """Line and message of a syntax error (Python 3.14 has `lineno`; older ones say it in text)."""
    message = str(getattr(error, "msg", None) or error)
    line = getattr(error, "lineno", None)
    if match := ERROR_AT_RE.search(message):
        line = line or int(match.group(1))
        message = _(
            "%(message)s (column %(column)s)",
            message=message[: match.start()],
            column=match.group(2),
        )
    elif match := ERROR_AT_END_RE.search(message):
        line = line or last_line
        message = _("%(message)s (at the end of the file)", message=message[: match.start()])
    return int(line or 1), _("TOML syntax error: %(message)s", message=message)
