# label: clean CWE-327
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def encrypt(key: bytes, plaintext: bytes, associated: bytes = b"") -> bytes:
    """Encrypt with AES-GCM; the nonce is prepended to the ciphertext."""
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def decrypt(key: bytes, blob: bytes, associated: bytes = b"") -> bytes:
    return AESGCM(key).decrypt(blob[:12], blob[12:], associated)
