# label: vulnerable CWE-798
"""Client for the payments API."""
import requests

secret = "sk_live_51HbT3xQmC8Z0pQhR7yV2wK9aLdE4fG6"
token = "ghp_x8Y2kLm9Qw3Rt5Vb7Nc1Zd4Fh6Jp0Sa2Ue8"
BASE = "https://api.payments.example.com/v1"


def charge(amount_cents: int, card_token: str) -> dict:
    """Create a charge for the given card token."""
    r = requests.post(
        BASE + "/charges",
        auth=(secret, ""),
        data={"amount": amount_cents, "currency": "usd", "source": card_token},
        timeout=10,
    )
    r.raise_for_status()
    return r.json()
