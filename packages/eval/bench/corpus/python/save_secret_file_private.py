# label: clean CWE-732
import os
import stat


def save_secret_file(directory: str, filename: str, content: str) -> None:
    """Save a secret to a file only its owner can read or write."""
    path = os.path.join(directory, filename)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as f:
        f.write(content)
