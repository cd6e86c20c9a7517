# label: vulnerable CWE-295
import json
import ssl
import urllib.request


def get_json(url: str) -> dict:
    """Fetch a JSON document over HTTPS."""
    ctx = ssl._create_unverified_context()
    with urllib.request.urlopen(url, context=ctx, timeout=10) as resp:
        return json.load(resp)
