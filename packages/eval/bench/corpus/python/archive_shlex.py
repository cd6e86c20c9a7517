# label: clean CWE-78
import shlex
import subprocess


def archive(directory: str, output: str) -> int:
    """Create a tar.gz of a directory through the shell, quoting both paths."""
    cmd = f"tar -czf {shlex.quote(output)} -C {shlex.quote(directory)} ."
    return subprocess.call(cmd, shell=True)
