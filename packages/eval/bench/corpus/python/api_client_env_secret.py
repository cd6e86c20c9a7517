# label: clean CWE-798
"""Client for the payments API, credentials from the environment."""
import os

import requests

BASE = "https://api.payments.example.com/v1"


def charge(amount_cents: int, card_token: str) -> dict:
    secret = os.environ["PAYMENTS_SECRET_KEY"]
    r = requests.post(BASE + "/charges", auth=(secret, ""), data={"amount": amount_cents, "source": card_token}, timeout=10)
    r.raise_for_status()
    return r.json()
