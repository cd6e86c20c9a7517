# label: clean CWE-78
import re
import subprocess

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$", re.IGNORECASE)


def lookup(domain: str) -> str:
    """Return the output of `dig` for a syntactically valid domain."""
    if not DOMAIN.match(domain):
        raise ValueError("not a domain name")
    return subprocess.run(["dig", "+short", domain], capture_output=True, text=True, check=True).stdout


if __name__ == "__main__":
    print(lookup(input("domain: ")))
