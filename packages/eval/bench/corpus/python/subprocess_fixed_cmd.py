# label: clean
import subprocess


def git_revision() -> str:
    """The current commit of the working tree, or 'unknown'."""
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def disk_usage(path: str) -> str:
    return subprocess.run(["du", "-sh", path], capture_output=True, text=True).stdout.split()[0]
