"""Unpack an uploaded course package ZIP into a folder, refusing bombs, links and escapes."""

import io
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _

from app.courses.package import PackageError, Problem

MAX_MEMBERS = 2000  # a package has a few dozen files
MAX_UNPACKED = 50_000_000  # every file together; a package of text is a few hundred kB
MAX_RATIO = 100  # text compresses about 3-10 times; a ZIP bomb, thousands of times
RATIO_FLOOR = 1_000_000  # a small file may compress far better; the ratio counts above this
CHUNK = 1 << 16


def _refuse(message: str, file: str = "") -> PackageError:
    return PackageError([Problem(file, 1, message)])


def _members(archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """The archive's files, each with a safe relative path (checked before unpacking)."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise _refuse(_("The ZIP archive holds too many files to be a course package."))
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise _refuse(
            _(
                "The ZIP archive unpacks to more than %(mb)s MB, which no course package does.",
                mb=MAX_UNPACKED // 1_000_000,
            )
        )
    members = []
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise _refuse(_("A file in the ZIP archive points outside it."), info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refuse(
                _("The ZIP archive holds a link, which a package may not."), info.filename
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(
                _(
                    "This file unpacks to %(ratio)s times its packed size, which no course "
                    "package does: the ZIP archive is refused.",
                    ratio=info.file_size // max(info.compress_size, 1),
                ),
                info.filename,
            )
        members.append((info, path))
    return members


def _copy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: list[int]):
    """Unpack one member, counting bytes against its declared size and the whole budget."""
    size = 0
    with archive.open(info) as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            budget[0] -= len(chunk)
            if size > info.file_size or budget[0] < 0:
                raise _refuse(_("The ZIP archive unpacks to more than it declares."), info.filename)
            out.write(chunk)


def unpack_packages(data: bytes, folder: Path) -> list[Path]:
    """Unpack the ZIP `data` under `folder` and return its package folders (each holding a
    course.toml: at the top of the archive, or one level down for several packages).

    :raises PackageError: naming the file and the reason when the archive is refused.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = _members(archive)
        budget = [MAX_UNPACKED]
        for info, path in members:
            target = folder.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy(archive, info, target, budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _refuse(_("The file is not a ZIP archive.")) from None
    except (zlib.error, NotImplementedError, RuntimeError):
        raise _refuse(
            _("The ZIP archive is damaged or uses a method Puente cannot read.")
        ) from None
    if (folder / "course.toml").is_file():
        return [folder]
    folders = sorted(path.parent for path in folder.glob("*/course.toml"))
    if not folders:
        raise _refuse(_("The ZIP archive holds no course.toml: it is not a course package."))
    return folders
