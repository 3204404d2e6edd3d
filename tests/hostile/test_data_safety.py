"""Tests and bench scripts cannot touch a developer's own data: no instance/config.py in tests,
drop_all only on the tests' database, bench scripts wipe only what they seeded."""

import os
import sqlite3
import subprocess
import sys

import pytest

import app as app_package
from app import create_app
from config import BASE_DIR, DevelopmentConfig, TestingConfig
from tests.conftest import assert_test_database


@pytest.fixture
def instance_dir(tmp_path, monkeypatch):
    """An instance folder whose config.py names a developer's database and a marker."""
    (tmp_path / "config.py").write_text(
        "SQLALCHEMY_DATABASE_URI = 'postgresql+psycopg://me@127.0.0.1/my_real_data'\n"
        "INSTANCE_MARKER = 'read'\n"
    )
    monkeypatch.setattr(app_package, "INSTANCE_DIR", tmp_path)
    return tmp_path


def test_tests_never_read_instance_config(instance_dir):
    app = create_app(TestingConfig)
    assert "INSTANCE_MARKER" not in app.config
    assert app.config["SQLALCHEMY_DATABASE_URI"] == TestingConfig.SQLALCHEMY_DATABASE_URI


def test_other_configs_read_it_from_the_instance_folder(instance_dir):
    class Local(DevelopmentConfig):
        JOBS_IN_PROCESS = False
        CHECK_SIGNING_KEYS = False  # the instance names a database that is not there to ask

    app = create_app(Local)
    assert app.config["INSTANCE_MARKER"] == "read"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/my_real_data")


def test_the_real_instance_path_is_beside_config_py():
    assert app_package.INSTANCE_DIR == BASE_DIR / "instance"


@pytest.mark.parametrize(
    "uri",
    ["postgresql+psycopg://me@127.0.0.1/my_real_data", "sqlite:////home/me/puente.db"],
)
def test_the_fixture_refuses_to_drop_a_database_that_is_not_the_tests(uri, monkeypatch):
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    with pytest.raises(pytest.exit.Exception, match="Refusing to drop tables"):
        assert_test_database(uri)


def test_the_fixture_accepts_memory_and_test_database_url(monkeypatch):
    assert_test_database("sqlite://")
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/h_x")
    assert_test_database("postgresql+psycopg://postgres@127.0.0.1/h_x")


def developer_database(path) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE precious (note TEXT)")
        connection.execute("INSERT INTO precious VALUES ('a teacher''s grades')")
    return f"sqlite:///{path}"


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("bench/seed.py", ["--students", "10"]),
        ("bench/roster_bench.py", ["--students", "10"]),
        ("bench/certificates_bench.py", ["--count", "1"]),
    ],
)
def test_bench_scripts_refuse_a_database_they_did_not_seed(tmp_path, script, args):
    url = developer_database(tmp_path / "mine.db")
    env = os.environ | {"FLASK_CONFIG": "testing", "TEST_DATABASE_URL": url, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR,
    )
    assert result.returncode != 0
    assert "Refusing to wipe" in result.stderr
    with sqlite3.connect(tmp_path / "mine.db") as connection:
        assert connection.execute("SELECT note FROM precious").fetchall() == [
            ("a teacher's grades",)
        ]


def test_a_bench_database_is_marked_and_may_be_wiped_again(tmp_path):
    from bench.guard import MARKER_TABLE, ensure_bench_database, mark_bench_database

    class Bench(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'bench.db'}"

    bench_app = create_app(Bench)
    with bench_app.app_context():
        from app.extensions import db

        ensure_bench_database()  # empty: allowed
        engine = db.engines[None]
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE site (id INTEGER)")
        with pytest.raises(SystemExit):
            ensure_bench_database()  # tables, no marker
        mark_bench_database("seed.py")
        ensure_bench_database()  # marked: allowed
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(f"SELECT seeded_by FROM {MARKER_TABLE}").all()
        assert rows == [("seed.py",)]
        engine.dispose()
