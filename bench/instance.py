"""The bench's own installation folder (instance/bench): its keys, and a config.py for wrk.

Seed, server and report bench must share it (certificates are signed with its key). Its
config.py lifts /verify's per-address rate limit, which wrk on one address would otherwise hit
within a second in a --baseline checkout from before that limit counted only misses; the
limiter still runs on every request, as in production.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = '''"""Written by bench/instance.py: a benchmark sends every request from one address."""

VERIFY_RATE_LIMIT = "100000000 per minute"
'''


def use_bench_instance() -> Path:
    """Point PUENTE_INSTANCE at the bench folder (BENCH_INSTANCE, else instance/bench)."""
    folder = Path(os.environ.get("BENCH_INSTANCE") or ROOT / "instance" / "bench").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.py"
    if not config.exists() or config.read_text() != CONFIG:
        config.write_text(CONFIG)
    os.environ["PUENTE_INSTANCE"] = str(folder)
    return folder
