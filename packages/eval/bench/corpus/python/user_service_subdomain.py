# label: vulnerable CWE-918
import requests


def get_user_profile(user_id: str) -> dict:
    """Fetch a user's profile from the internal user service.

    Args:
        user_id: the id the client sent.
    """
    url = f"https://users.internal.example.com/api/{user_id}"
    response = requests.get(url, timeout=3)
    response.raise_for_status()
    return response.json()


def get_status(host: str) -> int:
    """Check a service's health endpoint on the host the caller names."""
    return requests.get("http://" + host + "/health", timeout=3).status_code
