# label: vulnerable CWE-732
import os
import stat


def save_secret_file(directory: str, filename: str, content: str) -> None:
    """Save a secret to a file in the directory, readable by its owner."""
    path = os.path.join(directory, filename)
    with open(path, "w") as f:
        f.write(content)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
