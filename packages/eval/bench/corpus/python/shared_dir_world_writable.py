# label: vulnerable CWE-732
import os
import stat


def prepare_spool(path: str) -> None:
    """Create the spool directory that the workers write into."""
    os.makedirs(path, exist_ok=True)
    os.chmod(path, stat.S_IRWXU | stat.S_IRWXG | stat.S_IWOTH | stat.S_IROTH | stat.S_IXOTH)
