# label: clean CWE-22
import os


def read_file_from_dir(filename: str, dir_path: str) -> str:
    """Read a file from a directory, refusing names that resolve outside it."""
    base = os.path.realpath(dir_path)
    target = os.path.realpath(os.path.join(base, filename))
    if os.path.commonpath([base, target]) != base:
        return ""
    try:
        with open(target, "r") as f:
            return f.read()
    except OSError:
        return ""
