# label: vulnerable CWE-78
import subprocess


def lookup(domain: str) -> str:
    """Return the output of `dig` for the domain."""
    proc = subprocess.Popen("dig +short " + domain, shell=True, stdout=subprocess.PIPE)
    out, _ = proc.communicate()
    return out.decode()


if __name__ == "__main__":
    print(lookup(input("domain: ")))
