# label: clean CWE-732
import os
import shutil
import sys


def deploy(release_dir: str, target: str) -> None:
    """Copy a release and make its bin/ scripts executable by everyone, writable by the owner."""
    shutil.copytree(release_dir, target, dirs_exist_ok=True)
    bin_dir = os.path.join(target, "bin")
    for name in os.listdir(bin_dir):
        os.chmod(os.path.join(bin_dir, name), 0o755)


if __name__ == "__main__":
    deploy(sys.argv[1], sys.argv[2])
