# label: vulnerable CWE-502
import sys

import yaml


def load_config(path: str) -> dict:
    """Load a YAML configuration file."""
    with open(path) as fh:
        return yaml.load(fh, Loader=yaml.Loader)


if __name__ == "__main__":
    print(load_config(sys.argv[1]))
