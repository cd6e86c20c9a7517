"""Reproducible archives: a wheel whose ``RECORD`` lists every file's sha256, and a gzipped tar sdist.

Entries are sorted, with fixed permissions and the time of ``$SOURCE_DATE_EPOCH`` (else 1980-01-01), so
the same tree gives the same bytes. Each archive is written beside its final name and renamed into
place, so a failed build leaves no partial file.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import os
import tarfile
import time
import zipfile
from typing import List, Tuple

_EPOCH_1980 = 315532800


def _epoch() -> int:
    return max(_EPOCH_1980, int(os.environ.get("SOURCE_DATE_EPOCH", _EPOCH_1980)))


def _replace_atomically(path: str, write) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def record_hash(data: bytes) -> str:
    """``sha256=`` and the urlsafe base64 digest without padding, as ``RECORD`` spells it."""
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


class Wheel:
    """Files collected in memory, written by :meth:`write` with the ``RECORD`` of ``dist_info`` last."""

    def __init__(self, dist_info: str) -> None:
        self.dist_info = dist_info
        self.files: List[Tuple[str, bytes]] = []

    def add(self, arcname: str, data: bytes) -> None:
        if any(name == arcname for name, _ in self.files):
            raise ValueError(f"{arcname} would be in the wheel twice")
        self.files.append((arcname, data))

    def record(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for name, data in self.files:
            writer.writerow([name, record_hash(data), str(len(data))])
        writer.writerow([f"{self.dist_info}/RECORD", "", ""])
        return out.getvalue().encode("utf-8")

    def write(self, path: str) -> None:
        meta = f"{self.dist_info}/"
        self.files.sort(key=lambda f: (f[0].startswith(meta), f[0]))
        stamp = time.gmtime(_epoch())[:6]

        def write(f) -> None:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
                for name, data in [*self.files, (f"{self.dist_info}/RECORD", self.record())]:
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.external_attr = 0o100644 << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, data)

        _replace_atomically(path, write)


def write_sdist(path: str, top: str, files: List[Tuple[str, bytes]]) -> None:
    """A ``.tar.gz`` with every ``(name, data)`` under the directory ``top``."""
    mtime = _epoch()

    def write(f) -> None:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=mtime) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                dirs = {top}
                for name, _ in files:
                    parts = name.split("/")[:-1]
                    dirs.update(f"{top}/{'/'.join(parts[: i + 1])}" for i in range(len(parts)))
                for d in sorted(dirs):
                    info = tarfile.TarInfo(d)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
                    tar.addfile(info)
                for name, data in sorted(files):
                    info = tarfile.TarInfo(f"{top}/{name}")
                    info.size, info.mode, info.mtime = len(data), 0o644, mtime
                    tar.addfile(info, io.BytesIO(data))

    _replace_atomically(path, write)
