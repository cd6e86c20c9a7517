# label: clean CWE-95
import ast
import sys


def parse_settings(text: str) -> dict:
    """Parse a Python-literal settings dict from the command line."""
    value = ast.literal_eval(text)
    if not isinstance(value, dict):
        raise SystemExit("settings must be a dict literal")
    return value


if __name__ == "__main__":
    print(parse_settings(sys.argv[1]))
