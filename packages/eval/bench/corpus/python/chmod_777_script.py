# label: vulnerable CWE-732
"""Deploy helper: unpack a release and make it runnable."""
import os
import shutil
import sys


def deploy(release_dir: str, target: str) -> None:
    shutil.copytree(release_dir, target, dirs_exist_ok=True)
    for root, dirs, files in os.walk(target):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o777)


if __name__ == "__main__":
    deploy(sys.argv[1], sys.argv[2])
