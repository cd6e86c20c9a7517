# label: vulnerable CWE-326
from Crypto.PublicKey import DSA, RSA


def create_keys():
    """Create an RSA and a DSA key for the test environment."""
    rsa_key = RSA.generate(1024)
    dsa_key = DSA.generate(1024)
    return rsa_key.export_key().decode(), dsa_key.export_key().decode()
