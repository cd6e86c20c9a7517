#!/usr/bin/env python3
"""Writes the version of @srcode/token-reward (packages/token-reward/package.json) into srcode_reward/_version.py.

Run after ``changeset version`` bumps the npm package; ``--check`` only reports a difference (exit 1).
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_JSON = ROOT / "packages" / "token-reward" / "package.json"
VERSION_PY = ROOT / "python" / "src" / "srcode_reward" / "_version.py"


def main() -> int:
    npm = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["version"]
    text = VERSION_PY.read_text(encoding="utf-8")
    current = re.search(r'__version__ = "([^"]+)"', text)
    if current is None:
        print(f"{VERSION_PY}: no __version__ line", file=sys.stderr)
        return 2
    if current.group(1) == npm:
        return 0
    if "--check" in sys.argv[1:]:
        print(f"{VERSION_PY}: {current.group(1)}, but @srcode/token-reward is {npm}", file=sys.stderr)
        return 1
    VERSION_PY.write_text(text.replace(current.group(0), f'__version__ = "{npm}"'), encoding="utf-8")
    print(f"srcode-reward {current.group(1)} -> {npm}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
