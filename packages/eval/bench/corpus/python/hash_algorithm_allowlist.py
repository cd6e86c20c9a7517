# label: clean CWE-327
import hashlib

ALLOWED = {"sha256", "sha384", "sha512", "sha3_256", "blake2b"}


def get_hash(algorithm: str, data: bytes) -> str:
    """Hash the data with one of the strong algorithms; anything else is refused."""
    if algorithm not in ALLOWED:
        raise ValueError(f"unsupported algorithm: {algorithm}")
    return hashlib.new(algorithm, data).hexdigest()
