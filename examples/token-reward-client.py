#!/usr/bin/env python3
"""Per-token security rewards from `srcode-reward serve`, for a TRL or verl trainer (stdlib only).

Start the service next to the trainer:

    srcode-reward serve --port 8765 --pairs pairs.jsonl

A trainer already holds each sampled completion's token ids and character offsets (Hugging Face
tokenizers give them with ``return_offsets_mapping=True``; they index the Python ``str``, i.e. code
points, hence ``"offsetUnit": "codepoint"``). It sends them with the pair the prompt came from and
gets one reward per token back, aligned with its own tokens, ready to add to the per-token reward
tensor:

* verl: in a custom reward manager, write them into ``reward_tensor[i, :response_length]`` (the
  ``token_level_scores`` the PPO/GRPO advantage estimators read) instead of one score on the last
  token.
* TRL: build the per-token reward tensor from them where the trainer combines scores with the KL
  penalty (``rewards[i, :len] += torch.tensor(r)``), or sum them for a sequence-level reward.

Run ``python3 token-reward-client.py --url http://127.0.0.1:8765 --demo`` to score a toy completion.
"""

import argparse
import json
import re
import sys
import urllib.error
import urllib.request


def token_rewards(url, completions, pair=None, pair_id=None, options=None, timeout=60.0):
    """POST a batch to /v1/rewards; returns one result (``rewards``, ``spans``) per completion.

    Each completion is a dict with ``text``, ``offsets`` ([[start, end], ...]), optionally
    ``tokenIds``, ``offsetUnit`` ("codepoint" for Python offsets) and ``offsetBase`` (where the
    completion starts when the offsets index prompt + completion).
    """
    body = {"completions": completions}
    if pair is not None:
        body["pair"] = pair
    if pair_id is not None:
        body["pairId"] = pair_id
    if options:
        body["options"] = options
    request = urllib.request.Request(
        url.rstrip("/") + "/v1/rewards",
        data=json.dumps(body).encode("utf-8"),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)["results"]
    except urllib.error.HTTPError as error:
        detail = json.load(error).get("error", {})
        raise RuntimeError(f"reward service said {error.code} {detail.get('code')}: {detail.get('message')}") from None


def pad_rewards(results, length, pad=0.0):
    """Per-token rewards as rows of equal ``length`` (a trainer's response length), right-padded."""
    rows = []
    for result in results:
        row = list(result["rewards"][:length])
        rows.append(row + [pad] * (length - len(row)))
    return rows


def toy_tokenize(text):
    """Stand-in for a model tokenizer: words, single symbols and whitespace runs, with offsets."""
    tokens = [m for m in re.finditer(r"\s+|\w+|[^\w\s]", text)]
    return [m.group(0) for m in tokens], [[m.start(), m.end()] for m in tokens]


def demo(url):
    vulnerable = "void f(const char *s) {\n  char buf[16];\n  strcpy(buf, s);\n}\n"
    fixed = "void f(const char *s) {\n  char buf[16];\n  strncpy(buf, s, sizeof buf);\n}\n"
    start = vulnerable.index("strcpy")
    pair = {
        "schemaVersion": 1,
        "id": "demo",
        "language": "c",
        "cwes": ["CWE-787"],
        "provenance": {"dataset": "sample"},
        "vulnerableCode": vulnerable,
        "fixedCode": fixed,
        # ranges are UTF-16 offsets (here ASCII, so the same as Python indices)
        "changes": {
            "deleted": [{"start": start, "end": start + len("strcpy(buf, s)")}],
            "added": [{"start": start, "end": start + len("strncpy(buf, s, sizeof buf)")}],
            "origin": "diff",
        },
    }
    completions = [
        "void g(const char *in) {\n  /* 🔒 bounded */\n  char out[16];\n  strncpy(out, in, sizeof out);\n}\n",
        "void g(const char *in) {\n  /* 🔓 */\n  char out[16];\n  strcpy(out, in);\n}\n",
    ]
    batch = []
    for text in completions:
        _, offsets = toy_tokenize(text)
        batch.append({"text": text, "offsets": offsets, "offsetUnit": "codepoint"})
    results = token_rewards(url, batch, pair=pair)
    out = []
    for text, result in zip(completions, results):
        tokens, _ = toy_tokenize(text)
        out.append({"tokens": tokens, "rewards": result["rewards"], "spans": result["spans"]})
    return out


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
