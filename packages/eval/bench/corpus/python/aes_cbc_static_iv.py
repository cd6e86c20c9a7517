# label: vulnerable CWE-329
from Crypto.Cipher import AES
from Crypto.Util.Padding import pad

IV = b"0123456789abcdef"


def encrypt(key: bytes, data: bytes) -> bytes:
    """Encrypt data with AES-CBC."""
    return AES.new(key, AES.MODE_CBC, IV).encrypt(pad(data, 16))
