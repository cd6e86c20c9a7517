# label: vulnerable CWE-319
import telnetlib


def show_version(host: str, user: str, password: str) -> str:
    """Log in to a switch and read its version banner."""
    tn = telnetlib.Telnet(host, 23, timeout=10)
    tn.read_until(b"Username: ")
    tn.write(user.encode() + b"\n")
    tn.read_until(b"Password: ")
    tn.write(password.encode() + b"\n")
    tn.write(b"show version\nexit\n")
    return tn.read_all().decode()
