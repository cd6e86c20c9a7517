# label: clean CWE-78
"""Tiny network diagnostics CLI, arguments passed as a list."""
import argparse
import subprocess


def ping(host: str, count: int = 3) -> str:
    result = subprocess.run(["ping", "-c", str(count), "--", host], capture_output=True, text=True, check=False)
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    args = parser.parse_args()
    print(ping(args.host))


if __name__ == "__main__":
    main()
