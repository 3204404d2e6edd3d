"""axe-core (Deque's accessibility engine, from node_modules) run inside a Playwright page."""

from functools import cache
from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def accessibility_violations(page, impacts=BLOCKING) -> list[dict]:
    """The page's axe-core violations of the given impacts, each with its rule, help and targets."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP (no inline script) allows.
        page.evaluate(_axe_source())
    # Only violations are read: leaving out the passes makes a run several times faster.
    result = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    """Fail with every critical or serious axe-core violation on the page, named by rule and element."""
    violations = accessibility_violations(page)
    assert not violations, f"{page.url}: {violations}"
