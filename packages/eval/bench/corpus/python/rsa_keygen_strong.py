# label: clean CWE-326
from Crypto.PublicKey import RSA


def create_private_key() -> str:
    """Generate a 3072-bit RSA key in PEM form."""
    key = RSA.generate(3072)
    return key.export_key().decode("utf-8")
