"""The house's one-way dependency order: no module imports one above it (read with `ast`)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Bottom to top. A unit is a package or module under app/ ("credits.rules" names one module);
# each may import its own layer and those below, never one above.
LAYERS = [
    # foundation: extensions, config, database connections, rate limits, places, labels, the installation's identity, the error
    # contract, security headers, safe JSON, CSV cells, pagination (keyset), form rendering, PDF, the job queue, the
    # audit trail, template helpers, the one list search, and Puente's rules as data
    {
        "extensions",
        "config",
        "places",
        "labels",
        "installation",
        "errors",
        "security",
        "safe_json",
        "csv_cells",
        "common",
        "pdf",
        "warm_pdf",
        "jobs",
        "job_leases",
        "audit",
        "template_helpers",
        "credits.rules",
        "search",
        "timezones",
        "http_cache",
        "i18n",
        "keyset",
        "form_rendering",
        "page_cache",
        "connections",
        "limits",
    },
    # identity and access: accounts, sign-in, sites, the student record's subject, permissions
    {"users", "auth", "sites", "students", "permissions", "notifications", "guardians"},
    # courses: packages, versions, units
    {"courses"},
    # enrollments: a student's courses and unit progress
    {"enrollments"},
    # learning and grading: unit work, attempts, the teacher's queue, the student list's query, printable packets
    {"learning", "grading", "packets"},
    # credits, prior Mexican courses (with the placement they suggest), signed certificates
    {"credits", "prior_courses", "certificates", "contracts"},
    # moves: move notices and receiving
    {"moves"},
    # transfers and what travels: packages, trust, the peer API, documents, rosters
    {"transfers", "records", "rosters"},
    # reports: figures gathered from every area below
    {"reports"},
    # pages that combine areas (the student record, moves, assigning), the API, admin, demo,
    # the app factory and its command line, the whole schema for Alembic
    {"pages", "main", "api", "admin", "demo", "cli", "models", "__init__"},
]
LEVEL = {unit: level for level, units in enumerate(LAYERS) for unit in units}

# The one import that goes up, on purpose: a job worker started without an app builds one
# with the app factory (app/__init__.py), which sits above every layer.
ALLOWED = {("jobs.py", "__init__")}


def _unit(parts: tuple[str, ...]) -> str:
    """The layer unit of a module path under app/ ("credits", "credits.rules", "pdf")."""
    dotted = ".".join(parts)
    for unit in LEVEL:
        if "." in unit and (dotted == unit or dotted.startswith(unit + ".")):
            return unit
    return parts[0]


def _imports(path: Path) -> list[tuple[tuple[str, ...], int]]:
    """Every `app.…` module `path` imports (top-level or inside functions), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "app":
                names = [f"app.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = tuple(name.split("."))
            if parts[0] == "app":
                found.append((parts[1:] or ("__init__",), node.lineno))
    return found


def _app_modules() -> list[tuple[Path, tuple[str, ...]]]:
    return [
        (path, path.relative_to(APP).with_suffix("").parts)
        for path in sorted(APP.rglob("*.py"))
        if "translations" not in path.parts
    ]


def _target(parts: tuple[str, ...]) -> str:
    # `from app import create_app` names the factory in app/__init__.py
    if parts == ("create_app",) or parts == ("__init__",):
        return "__init__"
    return _unit(parts)


def test_every_package_and_module_has_a_layer():
    units = {_unit(parts) for _path, parts in _app_modules()}
    assert units - set(LEVEL) == set(), "place every new package in LAYERS"


def test_no_module_imports_one_above_it():
    upward = []
    for path, parts in _app_modules():
        source = _unit(parts)
        for imported, line in _imports(path):
            target = _target(imported)
            if target == source or (str(path.relative_to(APP)), target) in ALLOWED:
                continue
            if LEVEL.get(target, 0) > LEVEL[source]:
                upward.append(
                    f"app/{path.relative_to(APP)}:{line} imports app.{'.'.join(imported)}"
                )
    assert upward == []


def test_no_view_imports_another_domains_view():
    crossing = []
    for path, parts in _app_modules():
        if not parts[-1].endswith("views"):
            continue
        for imported, line in _imports(path):
            if imported[-1].endswith("views") and imported[0] != parts[0]:
                crossing.append(
                    f"app/{path.relative_to(APP)}:{line} imports app.{'.'.join(imported)}"
                )
    assert crossing == []


def test_the_rule_finds_an_upward_import(tmp_path):
    """The check itself: a students module importing a certificate module is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from app.certificates.documents import qr_image\n")
    ((imported, line),) = _imports(sample)
    assert LEVEL[_target(imported)] > LEVEL[_unit(("students", "sample"))] and line == 2


def test_templates_get_only_foundation_helpers(app):
    """Template functions are formatting helpers from the foundation (labels, places, dates);
    no domain registers one that runs queries: what a page shows comes from its view."""
    registered = {
        name: value.__module__
        for name, value in app.jinja_env.globals.items()
        if callable(value) and (getattr(value, "__module__", None) or "").startswith("app.")
    }
    assert {"place_name", "move_status_label", "status_label"} <= set(registered)
    outside = {
        name: module
        for name, module in registered.items()
        if LEVEL.get(_unit(tuple(module.split(".")[1:])), len(LAYERS)) != 0
    }
    assert outside == {}


def test_identifier_formats_are_written_once():
    """MSIX ID, CURP and state-code formats live in app/students/identifiers.py only (the
    transfer package's JSON schema is data and keeps its own patterns)."""
    formats = [r"\d{12}", r"[A-Z]{4}\d{6}", r"US-[A-Z]{2}|MX-[A-Z]{3}"]
    elsewhere = [
        f"app/{path.relative_to(APP)}"
        for path, _parts in _app_modules()
        if path.name != "identifiers.py" and any(f in path.read_text() for f in formats)
    ]
    assert elsewhere == []
