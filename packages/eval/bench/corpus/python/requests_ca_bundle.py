# label: clean CWE-295
import requests


def fetch_metrics(base_url: str, ca_bundle: str = "/etc/ssl/internal-ca.pem") -> dict:
    """Poll the metrics endpoint, verifying the server against the internal CA."""
    resp = requests.get(base_url + "/metrics", verify=ca_bundle, timeout=5)
    resp.raise_for_status()
    return resp.json()
