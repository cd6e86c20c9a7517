# label: clean
"""Print the lines of a file that contain a word (a small grep)."""
import argparse
import sys


def matching_lines(path: str, word: str, ignore_case: bool = False):
    needle = word.lower() if ignore_case else word
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            hay = line.lower() if ignore_case else line
            if needle in hay:
                yield number, line.rstrip("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("word")
    ap.add_argument("file")
    ap.add_argument("-i", action="store_true", help="ignore case")
    args = ap.parse_args()
    found = False
    for n, line in matching_lines(args.file, args.word, args.i):
        print(f"{n}: {line}")
        found = True
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
