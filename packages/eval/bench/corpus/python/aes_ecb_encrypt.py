# label: vulnerable CWE-327
from Crypto.Cipher import AES
from Crypto.Util.Padding import pad


def encrypt(key: bytes, data: bytes) -> bytes:
    """Encrypt the data with AES."""
    cipher = AES.new(key, AES.MODE_ECB)
    return cipher.encrypt(pad(data, AES.block_size))
