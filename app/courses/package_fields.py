"""Typed field readers for package validation: each bad value becomes a file-and-line problem."""

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from app.courses.toml_source import KeyPath, TomlSource

ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
LANGS = ("en", "es")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package: `file` is relative to the package folder."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def in_folder(self, folder: Path) -> "Problem":
        """The same problem with `file` relative to `folder`'s parent (for several packages)."""
        return Problem((Path(folder) / self.file).as_posix(), self.line, self.message)


class Reader:
    """Collects every problem found while reading one package folder."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, max(int(line), 1), message))

    def open(self, name: str) -> "Table | None":
        """The top-level table of the TOML file `name`, or None (and a problem) if unreadable."""
        source = TomlSource(self.root / name, name)
        if source.data is None:
            self.add(name, *(source.error or (1, _("file cannot be read"))))
            return None
        return Table(self, source, source.data, ())

    def markdown(self, entry: "Table", name: str) -> str:
        """A lesson body; problems are reported at the lesson's `file =` line."""
        try:
            text = (self.root / name).read_bytes().decode("utf-8-sig")
        except (FileNotFoundError, IsADirectoryError):
            entry.problem(("file",), _("file %(name)s is missing", name=name))
            return ""
        except UnicodeDecodeError:
            entry.problem(("file",), _("file %(name)s is not UTF-8 text", name=name))
            return ""
        if not text.strip():
            entry.problem(("file",), _("file %(name)s is empty", name=name))
        return text


class Table:
    """One TOML table (or array-of-tables entry) being read, with a label for its messages."""

    def __init__(self, reader: Reader, source: TomlSource, data: dict[str, Any], prefix: KeyPath):
        self.reader = reader
        self.source = source
        self.data = data
        self.prefix = prefix
        self.label = ""
        self._tables: dict[str, list[Table] | None] = {}

    def line_of(self, *keys: str | int) -> int:
        return self.source.line_of(*self.prefix, *keys)

    def problem(self, keys: KeyPath, message: str) -> None:
        self.problem_at(self.line_of(*keys), message)

    def problem_at(self, line: int, message: str) -> None:
        self.reader.add(
            self.source.name, line, f"{self.label}: {message}" if self.label else message
        )

    def text(self, key: str, max_length: int | None = None) -> str:
        value = self.data.get(key)
        if value is None:
            self.problem((key,), _("%(key)s is missing", key=key))
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(
                (key,), _("%(key)s must be a text, not %(value)s", key=key, value=repr(value))
            )
            return ""
        if max_length and len(value.strip()) > max_length:
            self.problem(
                (key,), _("%(key)s is longer than %(max)s characters", key=key, max=max_length)
            )
        return value.strip()

    def bilingual(self, key: str, max_length: int | None = None) -> dict[str, str]:
        """A `{en, es}` pair; both must be non-empty text."""
        value = self.data.get(key)
        if not isinstance(value, dict):
            if value is None:
                message = _("%(key)s is missing: give %(key)s.en and %(key)s.es", key=key)
            else:
                message = _(
                    "%(key)s must be a table, not %(value)s: give %(key)s.en and %(key)s.es",
                    key=key,
                    value=repr(value),
                )
            self.problem((key,), message)
            return {lang: "" for lang in LANGS}
        result = {}
        for lang in LANGS:
            text = value.get(lang)
            if text is None:
                self.problem(
                    (key, lang),
                    _("%(key)s has no %(lang)s text (%(key)s.%(lang)s)", key=key, lang=lang),
                )
            elif not isinstance(text, str) or not text.strip():
                self.problem((key, lang), _("%(key)s.%(lang)s is empty", key=key, lang=lang))
            elif max_length and len(text.strip()) > max_length:
                self.problem(
                    (key, lang),
                    _(
                        "%(key)s.%(lang)s is longer than %(max)s characters",
                        key=key,
                        lang=lang,
                        max=max_length,
                    ),
                )
            result[lang] = text.strip() if isinstance(text, str) else ""
        return result

    def number(
        self,
        key: str,
        default: float | None = None,
        positive: bool = False,
        minimum: float | None = None,
        whole: bool = False,
    ) -> float | None:
        """A finite number (None and a problem when missing or wrong)."""
        value = self.data.get(key, default)
        if value is None:
            self.problem((key,), _("%(key)s is missing", key=key))
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.problem(
                (key,), _("%(key)s must be a number, not %(value)s", key=key, value=repr(value))
            )
            return None
        if whole and value != int(value):
            self.problem(
                (key,),
                _("%(key)s must be a whole number, not %(value)s", key=key, value=repr(value)),
            )
        if positive and value <= 0:
            self.problem(
                (key,),
                _("%(key)s must be greater than 0, not %(value)s", key=key, value=repr(value)),
            )
        elif minimum is not None and value < minimum:
            self.problem(
                (key,),
                _(
                    "%(key)s must be %(minimum)s or more, not %(value)s",
                    key=key,
                    minimum=minimum,
                    value=repr(value),
                ),
            )
        return value

    def tables(self, key: str) -> "list[Table] | None":
        """The `[[key]]` entries ([] when absent; None, reported once, when malformed)."""
        if key not in self._tables:
            value = self.data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                self.problem((key,), _("%(key)s must be written as [[%(key)s]] tables", key=key))
                self._tables[key] = None
            else:
                self._tables[key] = [
                    Table(self.reader, self.source, entry, (*self.prefix, key, index))
                    for index, entry in enumerate(value)
                ]
        return self._tables[key]

    def choice_line(self, index: int) -> int:
        """The line of the `index`-th choice (its own line when choices are on several lines)."""
        start = self.line_of("choices")
        line = self.line_of("choices", index)
        if line != start:  # written as [[section.choices]] tables
            return line
        return self.source.line_of_match(start, r"\bid\s*=", index)
