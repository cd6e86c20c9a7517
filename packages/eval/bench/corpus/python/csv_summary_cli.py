# label: clean
"""Summarise a CSV file: row count and mean of each numeric column."""
import argparse
import csv
import statistics
import sys
from collections import defaultdict


def summarise(path: str) -> dict[str, float]:
    columns: dict[str, list[float]] = defaultdict(list)
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            for key, value in row.items():
                try:
                    columns[key].append(float(value))
                except (TypeError, ValueError):
                    continue
    return {k: statistics.mean(v) for k, v in columns.items() if v}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("csv_file")
    args = parser.parse_args(argv)
    for column, mean in sorted(summarise(args.csv_file).items()):
        print(f"{column}: {mean:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
