"""Peak memory of refusing a ZIP bomb (as a roster and as a course package): one 300 MB
users.csv packed into a few hundred kB.

Usage: python bench/zip_bomb_bench.py [--mb 300]
Builds the bomb on disk, then reads it as the roster page does (read_zip with the page's bound)
and prints the process's peak resident memory before and after: the refusal reads the
headers only, so the peak should barely move. (No database is touched.)
"""

import argparse
import io
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.courses.archive import unpack_packages  # noqa: E402
from app.courses.package import PackageError  # noqa: E402
from app.rosters.files import read_zip  # noqa: E402
from config import TestingConfig  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def build_bomb(path: Path, mb: int) -> None:
    row = ("u-1,Ana,García" + " " * 50 + "\n").encode()
    block = row * (1_000_000 // len(row))
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("users.csv", "w", force_zip64=True) as member,
    ):
        member.write(b"sourcedId,givenName,familyName\n")
        for _ in range(mb):
            member.write(block)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300, help="unpacked size of the bomb")
    args = parser.parse_args()
    app = create_app(TestingConfig)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.zip"
        build_bomb(path, args.mb)
        data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        declared = sum(i.file_size for i in archive.infolist())
    print(f"bomb: {len(data) / 1000:.0f} kB packed, {declared / 1_000_000:.0f} MB unpacked")
    before = peak_mb()
    # The page's bound (ROSTER_MAX_UNPACKED_BYTES), then the command's (only the ratio stops it).
    for label, bound in (("page", app.config["ROSTER_MAX_UNPACKED_BYTES"]), ("command", None)):
        with app.test_request_context():
            started = time.perf_counter()
            files = read_zip(data, bound) if bound else read_zip(data)
            elapsed = time.perf_counter() - started
        print(
            f"{label}: refused in {elapsed * 1000:.1f} ms: "
            f"{'; '.join(p.message for p in files.problems)}"
        )
    # The same bomb uploaded as a course package (Admin → Course packages).
    with app.test_request_context(), tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        try:
            unpack_packages(data, Path(folder))
            message = "NOT refused"
        except PackageError as error:
            message = "; ".join(p.message for p in error.problems)
        unpacked = sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
        elapsed = time.perf_counter() - started
    print(
        f"course package: refused in {elapsed * 1000:.1f} ms, {unpacked} bytes written: {message}"
    )
    after = peak_mb()
    print(
        f"peak memory before reading: {before:.0f} MB; after: {after:.0f} MB "
        f"(+{after - before:.1f} MB)"
    )


if __name__ == "__main__":
    main()
