# label: vulnerable CWE-78
"""Tiny network diagnostics CLI."""
import argparse
import os
import subprocess


def ping(host: str, count: int = 3) -> str:
    """Ping a host and return the output."""
    return subprocess.check_output(f"ping -c {count} {host}", shell=True, text=True)


def traceroute(host: str) -> None:
    os.system("traceroute " + host)


def main() -> None:
    parser = argparse.ArgumentParser(description="network diagnostics")
    parser.add_argument("host")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.trace:
        traceroute(args.host)
    else:
        print(ping(args.host))


if __name__ == "__main__":
    main()
