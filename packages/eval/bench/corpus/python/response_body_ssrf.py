# label: vulnerable CWE-918
import requests


def follow_manifest(manifest_url: str) -> list[bytes]:
    """Download a manifest, then every file it lists."""
    manifest = requests.get(manifest_url, timeout=10).json()
    return [requests.get(entry["url"], timeout=10).content for entry in manifest["files"]]
