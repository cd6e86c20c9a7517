# label: vulnerable CWE-78
import os
import subprocess


def run_hook() -> int:
    """Run the post-deploy hook configured in the environment, with the release name."""
    release = os.environ.get("RELEASE_NAME", "latest")
    return subprocess.call("/opt/hooks/post_deploy.sh " + release, shell=True)
