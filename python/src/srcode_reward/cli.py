"""``srcode-reward-py`` (or ``python -m srcode_reward``): export a verl dataset, print the verl config, check servers."""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from srcode_reward._version import __version__

EXIT_FAILURE, EXIT_USAGE = 1, 2


def _export(args: argparse.Namespace) -> int:
    from srcode_reward.export import export_verl  # noqa: PLC0415

    try:
        summary = export_verl(args.records, args.out, split=args.split, include_rejected=args.include_rejected)
    except (OSError, ValueError) as e:
        print(f"srcode-reward-py export-verl: {e}", file=sys.stderr)
        return EXIT_USAGE
    for issue in summary.issues[:20]:
        print(f"srcode-reward-py: skipped {args.records}:{issue.line}: {issue.message}", file=sys.stderr)
    if len(summary.issues) > 20:
        print(f"srcode-reward-py: ... and {len(summary.issues) - 20} more", file=sys.stderr)
    print(
        json.dumps(
            {
                "out": summary.path,
                "format": summary.format,
                "rows": summary.rows,
                "records": summary.records,
                "rejectedVerdicts": summary.rejected_verdicts,
                "invalidLines": len(summary.issues),
            }
        )
    )
    return 0


def _verl_config(_args: argparse.Namespace) -> int:
    from srcode_reward.verl import CONFIG_SNIPPET  # noqa: PLC0415

    sys.stdout.write(CONFIG_SNIPPET)
    return 0


def _health(args: argparse.Namespace) -> int:
    from srcode_reward.client import RewardClient  # noqa: PLC0415

    with RewardClient(args.url, timeout=args.timeout) as client:
        answers = client.health()
    print(json.dumps(answers, indent=2))
    return 0 if all(a.get("status") == 200 for a in answers) else EXIT_FAILURE


def parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    p = argparse.ArgumentParser(
        prog="srcode-reward-py",
        description="Python side of srcode-reward: verl datasets and config, server checks.",
        epilog="Exit codes: 0 done, 1 a failure, 2 bad arguments or input.",
    )
    p.add_argument("--version", action="version", version=f"srcode-reward-py {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    e = sub.add_parser("export-verl", help="PrimeVul+ records as a verl RL dataset (parquet with pyarrow, else JSONL)")
    e.add_argument("--records", required=True, help="PrimeVulPlusRecord JSONL (srcode-reflect run --out)")
    e.add_argument("--out", required=True, help="FILE.parquet, FILE.jsonl, or FILE (format picked by what is installed)")
    e.add_argument("--split", default="train", help="split name stored in extra_info (default train)")
    e.add_argument("--include-rejected", action="store_true", help="also export pairs the judge rejected")
    e.set_defaults(run=_export)
    v = sub.add_parser("verl-config", help="print the verl overrides for TokenRewardManager and token_grpo")
    v.set_defaults(run=_verl_config)
    h = sub.add_parser("health", help="GET /healthz of each server")
    h.add_argument("--url", action="append", required=True, help="a server URL (repeatable)")
    h.add_argument("--timeout", type=float, default=10.0, help="seconds per server (default 10)")
    h.set_defaults(run=_health)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command; returns its exit code."""
    p = parser()
    args = p.parse_args(argv)
    if not getattr(args, "run", None):
        p.print_usage(sys.stderr)
        print("srcode-reward-py: expected a command (export-verl, verl-config, health)", file=sys.stderr)
        return EXIT_USAGE
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
