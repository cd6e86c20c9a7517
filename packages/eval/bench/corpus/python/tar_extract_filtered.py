# label: clean CWE-22
import os
import sys
import tarfile


def extract(archive: str, dest: str) -> None:
    """Unpack an archive, refusing members that would land outside the destination."""
    dest = os.path.realpath(dest)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            target = os.path.realpath(os.path.join(dest, member.name))
            if not target.startswith(dest + os.sep) or member.issym() or member.islnk():
                raise ValueError(f"unsafe member: {member.name}")
        tar.extractall(dest)


if __name__ == "__main__":
    extract(sys.argv[1], sys.argv[2])
