"""Unit-test items given away in advance: repeated by a practice item or a lesson's text."""

import re
from dataclasses import dataclass

from flask_babel import gettext as _

from app.courses.package_fields import LANGS

# Words of two letters or more separate the maths expressions of a text.
_WORD_RE = re.compile(r"(?<![0-9a-z])[a-záéíóúüñ]{2,}(?![0-9a-z(²³])")
_OPERATOR_RE = re.compile(r"[+\-*/=^²³×÷·<>≤≥√]|^\(-?[\d.]+,-?[\d.]+\)$")
_DASHES = str.maketrans({"−": "-", "‐": "-", "’": "'", "‘": "'", "…": "..."})
MIN_TEXT = 20  # a shorter prompt (e.g. "Which is a function?") is too common to call a repeat


@dataclass(frozen=True)
class Place:
    """Where a text sits in the package: a file and a line, and what it is."""

    file: str
    line: int
    label: str


def normalize(text: str) -> str:
    """Lower case, one kind of dash, whitespace collapsed, no end punctuation or markup."""
    text = text.translate(_DASHES).casefold().replace("*", "").replace("`", "")
    return re.sub(r"\s+", " ", text).strip(" .?!:;¿¡-")


def _fingerprints(text: str) -> set[str]:
    """The maths expressions of a prompt, spaces removed, the ones that say something."""
    found = set()
    for chunk in _WORD_RE.split(normalize(text)):
        expression = re.sub(r"\s+", "", chunk).strip(".,;:?!¿¡$")
        if (
            len(expression) >= 3
            and re.search(r"\d", expression)
            and _OPERATOR_RE.search(expression)
        ):
            found.add(expression)
    return found


def _repeats(test_prompt: str, text: str) -> bool:
    """Whether `text` asks `test_prompt` again: the same words, or every one of its expressions."""
    prompt = normalize(test_prompt)
    if len(prompt) >= MIN_TEXT and prompt in normalize(text):
        return True
    expressions = _fingerprints(test_prompt)
    if not expressions:
        return False
    compact = normalize(text).replace(" ", "")
    return all(expression in compact for expression in expressions)


def given_away(
    tests: list[tuple[str, dict[str, str]]],
    practice: list[tuple[Place, dict[str, str]]],
    lesson_lines: list[tuple[Place, str, str]],
) -> list[tuple[Place, str]]:
    """Every place that repeats a unit-test item, with the message to report there.

    :param tests: (item id, prompt by language) of the unit test.
    :param practice: (place, prompt by language) of each practice item.
    :param lesson_lines: (place, language, text) of each line of the unit's lessons.
    """
    found = []
    for place, prompt in practice:
        for key, test_prompt in tests:
            if any(_repeats(test_prompt[lang], prompt[lang]) for lang in LANGS if prompt[lang]):
                found.append((place, _message(place, key, test_prompt)))
    for place, lang, line in lesson_lines:
        for key, test_prompt in tests:
            if test_prompt.get(lang) and _repeats(test_prompt[lang], line):
                found.append((place, _message(place, key, test_prompt)))
    return found


def _message(place: Place, key: str, test_prompt: dict[str, str]) -> str:
    return _(
        "%(place)s repeats unit-test item '%(item)s' (%(prompt)s): a self-check must not give "
        "away the test; write a new, equivalent item",
        place=place.label,
        item=key,
        prompt=repr(test_prompt["en"]),
    )
