# label: clean CWE-338
import secrets


def generate_reset_token(nbytes: int = 32) -> str:
    """Generate a URL-safe password-reset token."""
    return secrets.token_urlsafe(nbytes)
