# label: clean CWE-502
import json
import sys

import yaml


def load_config(path: str) -> dict:
    """Load a YAML configuration file with the safe loader."""
    with open(path) as fh:
        data = yaml.safe_load(fh)
    return data or {}


if __name__ == "__main__":
    print(json.dumps(load_config(sys.argv[1]), indent=2))
