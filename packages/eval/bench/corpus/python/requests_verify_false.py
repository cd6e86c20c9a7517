# label: vulnerable CWE-295
"""Poll the metrics endpoint of an internal service."""
import requests
import urllib3

urllib3.disable_warnings()


def fetch_metrics(base_url: str) -> dict:
    resp = requests.get(base_url + "/metrics", verify=False, timeout=5)
    resp.raise_for_status()
    return resp.json()
