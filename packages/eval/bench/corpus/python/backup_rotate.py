# label: clean
"""Keep the newest N backup files in a folder, delete the rest."""
import argparse
from pathlib import Path


def rotate(folder: Path, keep: int) -> list[Path]:
    backups = sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for old in backups[keep:]:
        old.unlink()
        removed.append(old)
    return removed


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--keep", type=int, default=7)
    a = ap.parse_args()
    for p in rotate(a.folder, a.keep):
        print("removed", p)
