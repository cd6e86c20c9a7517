# label: clean
"""Fetch JSON from a fixed API with retries."""
import time

import requests

API = "https://api.github.com"


def get_repo(owner: str, name: str, retries: int = 3) -> dict:
    url = f"{API}/repos/{owner}/{name}"
    for attempt in range(retries):
        try:
            resp = requests.get(url, timeout=10)
            resp.raise_for_status()
            return resp.json()
        except requests.RequestException:
            if attempt == retries - 1:
                raise
            time.sleep(2**attempt)
    return {}
