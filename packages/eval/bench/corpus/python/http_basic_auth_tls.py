# label: clean CWE-319
import requests


def push_metrics(user: str, password: str, payload: dict) -> int:
    """Push metrics to the collector over HTTPS with basic auth."""
    resp = requests.post("https://metrics.example.com/api/push", json=payload, auth=(user, password), timeout=5)
    return resp.status_code
