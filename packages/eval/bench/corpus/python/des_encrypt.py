# label: vulnerable CWE-327
from Crypto.Cipher import DES
from Crypto.Random import get_random_bytes
from Crypto.Util.Padding import pad


def encrypt_record(key: bytes, record: bytes) -> tuple[bytes, bytes]:
    """Encrypt a record with DES in CBC mode; returns (iv, ciphertext)."""
    iv = get_random_bytes(8)
    cipher = DES.new(key[:8], DES.MODE_CBC, iv)
    return iv, cipher.encrypt(pad(record, 8))
