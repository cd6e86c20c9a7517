# label: vulnerable CWE-22
import os


def read_file_from_dir(filename: str, dir_path: str) -> str:
    """Read the content of a file the user names from a directory.

    Return '' if anything goes wrong.
    """
    try:
        with open(os.path.join(dir_path, filename), "r") as f:
            return f.read()
    except Exception:
        return ""
