"""The line locator behind package problems: headers, dotted keys, strings that look like TOML."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.courses.package import PackageError, load_package
from app.courses.toml_source import TomlSource
from tests.courses.helpers import MINI

SAMPLE = '''number = 1
title = { en = "A", es = "B" }

[[test]]
id = "t1"
prompt.en = """
[[test]]
answer = "not a key"
"""
prompt.es = "x"

[[test]]
id = "t2"
answer = 4

[[test.choices]]
id = "a"

[[test.choices]]
id = "b"

[description]
en = "d"
'''


def _source(tmp_path, text=SAMPLE) -> TomlSource:
    path = tmp_path / "unit.toml"
    path.write_text(text)
    return TomlSource(path, "unit.toml")


def test_line_of_keys_tables_and_array_entries(tmp_path):
    source = _source(tmp_path)
    assert source.data is not None and source.error is None
    assert source.line_of("title") == 2
    assert source.line_of("title", "es") == 2  # inline table: the key's own line
    assert source.line_of("test", 0) == 4
    assert source.line_of("test", 1) == 12  # not the [[test]] inside the multi-line string
    assert source.line_of("test", 0, "prompt", "es") == 10
    assert source.line_of("test", 1, "answer") == 14
    assert source.line_of("test", 1, "choices", 1) == 19
    assert source.line_of("test", 1, "choices", 1, "id") == 20
    assert source.line_of("description", "en") == 23


def test_missing_keys_fall_back_to_their_table(tmp_path):
    source = _source(tmp_path)
    assert source.line_of("test", 1, "rubric", "es") == 12
    assert source.line_of("test", 0, "prompt", "fr") == 6  # first line of prompt.*
    assert source.line_of("lessons") == 1


def test_syntax_errors_carry_the_line(tmp_path):
    source = _source(tmp_path, 'number = 1\n\ntitle = "open\n')
    assert source.data is None
    assert source.error[0] == 3 and source.error[1].startswith("TOML syntax error")
    source = _source(tmp_path, 'a = 1\nb = """never closed\n')
    assert source.error[0] == 2 and "end of the file" in source.error[1]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    line_index=st.integers(min_value=0, max_value=200),
    replacement=st.sampled_from(
        [
            "",
            "x = ",
            "answer = []",
            'type = "choice"',
            "points = -1",
            "[[test]]",
            "[title]",
            "choices = 3",
            'number = "1"',
            "answer = inf",
            "lessons = 1",
            "[[lessons]]",
            'file = "nope"',
            "prompt = 1",
            "rubric = {}",
            "hours = 1e400",
            "test = []",
        ]
    ),
)
def test_any_broken_line_gives_problems_never_a_crash(tmp_path_factory, line_index, replacement):
    """Whatever one line of a unit says, the validator answers with located problems."""
    import shutil

    package = tmp_path_factory.mktemp("fuzz") / "mini"
    shutil.copytree(MINI, package)
    unit = package / "units/1/unit.toml"
    lines = unit.read_text().splitlines()
    lines[line_index % len(lines)] = replacement
    unit.write_text("\n".join(lines) + "\n")
    try:
        load_package(package)
    except PackageError as error:
        for problem in error.problems:
            count = len((package / problem.file).read_text(errors="replace").splitlines())
            assert 1 <= problem.line <= max(count, 1), problem
