"""Every message in the code has a Spanish translation with the same placeholders."""

import re
import subprocess
import sys

from babel.messages.pofile import read_po

from config import BASE_DIR

CATALOGUE = BASE_DIR / "app" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def extracted_ids(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=BASE_DIR,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id}


def test_every_message_in_the_code_is_translated_to_spanish(tmp_path):
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="es")
    translated = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if all(strings):
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            translated[key] = strings
    missing = extracted_ids(tmp_path) - set(translated)
    assert missing == set()
    for key, strings in translated.items():
        source = key if isinstance(key, str) else key[0]
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= set(
                PLACEHOLDER.findall(" ".join([key] if isinstance(key, str) else key))
            ), (source, text)
