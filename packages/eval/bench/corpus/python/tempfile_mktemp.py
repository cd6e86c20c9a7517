# label: vulnerable CWE-377
import os
import tempfile


def write_results(results: str) -> str:
    """Write results to a temporary file and return its name."""
    filename = tempfile.mktemp(suffix=".txt")
    with open(filename, "w") as f:
        f.write(results)
    return filename


def cleanup(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)
