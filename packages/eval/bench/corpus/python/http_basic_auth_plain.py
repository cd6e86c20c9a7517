# label: vulnerable CWE-319
import requests


def push_metrics(user: str, password: str, payload: dict) -> int:
    """Push metrics to the collector with basic auth."""
    resp = requests.post("http://metrics.example.com/api/push", json=payload, auth=(user, password), timeout=5)
    return resp.status_code
