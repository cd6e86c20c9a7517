#!/usr/bin/env python3
"""Per-token security rewards from `srcode-reward serve`, through the `srcode-reward` Python package.

Start the service, then score two toy completions (one bounded copy, one unbounded):

    srcode-reward serve --port 8765 --pairs pairs.jsonl
    python3 examples/token-reward-client.py --url http://127.0.0.1:8765 --demo

A trainer sends each completion's own token offsets (Python ``str`` indices, as Hugging Face tokenizers
give them) and gets one reward per token back. For verl, TRL and OpenRLHF use the adapters of the package
instead (``srcode_reward.verl``, ``srcode_reward.trl``, ``srcode_reward.openrlhf``): see python/README.md.
"""

import argparse
import json
import re
import sys
from pathlib import Path

try:
    import srcode_reward
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "src"))
    import srcode_reward

from srcode_reward import Completion, RewardClient


def token_rewards(url, completions, pair=None, pair_id=None, options=None):
    """One result (``rewards``, ``spans``) per completion; raises ``RewardServiceError`` (a ``RuntimeError``)."""
    with RewardClient(url) as client:
        return client.rewards(completions, pair=pair, pair_id=pair_id, options=options)


def toy_tokenize(text):
    """Stand-in for a model tokenizer: words, single symbols and whitespace runs, with code-point offsets."""
    found = list(re.finditer(r"\s+|\w+|[^\w\s]", text))
    return [m.group(0) for m in found], [(m.start(), m.end()) for m in found]


def demo(url):
    vulnerable = "void f(const char *s) {\n  char buf[16];\n  strcpy(buf, s);\n}\n"
    fixed = "void f(const char *s) {\n  char buf[16];\n  strncpy(buf, s, sizeof buf);\n}\n"
    at = vulnerable.index("strcpy")
    pair = {
        "schemaVersion": 1,
        "id": "demo",
        "language": "c",
        "cwes": ["CWE-787"],
        "provenance": {"dataset": "sample"},
        "vulnerableCode": vulnerable,
        "fixedCode": fixed,
        "changes": {
            "deleted": [{"start": at, "end": at + len("strcpy(buf, s)")}],
            "added": [{"start": at, "end": at + len("strncpy(buf, s, sizeof buf)")}],
            "origin": "diff",
        },
    }
    texts = [
        "void g(const char *in) {\n  /* 🔒 bounded */\n  char out[16];\n  strncpy(out, in, sizeof out);\n}\n",
        "void g(const char *in) {\n  /* 🔓 */\n  char out[16];\n  strcpy(out, in);\n}\n",
    ]
    results = token_rewards(url, [Completion(t, offsets=toy_tokenize(t)[1]) for t in texts], pair=pair)
    return [{"tokens": toy_tokenize(t)[0], "rewards": r.rewards, "spans": r.spans} for t, r in zip(texts, results)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--demo", action="store_true", help="score two toy completions and print JSON")
    args = parser.parse_args()
    if not args.demo:
        parser.print_help()
        return 0
    json.dump(demo(args.url), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
