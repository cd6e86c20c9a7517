# label: vulnerable CWE-22
import sys
import tarfile


def extract(archive: str, dest: str) -> None:
    """Unpack a downloaded archive into the destination folder."""
    with tarfile.open(archive) as tar:
        tar.extractall(dest)


if __name__ == "__main__":
    extract(sys.argv[1], sys.argv[2])
