# label: clean
import re
import sys
from collections import Counter


def top_words(text: str, n: int = 10) -> list[tuple[str, int]]:
    """Return the n most common words in the text."""
    words = re.findall(r"[a-z']+", text.lower())
    return Counter(words).most_common(n)


if __name__ == "__main__":
    data = sys.stdin.read()
    for word, count in top_words(data, int(sys.argv[1]) if len(sys.argv) > 1 else 10):
        print(f"{count:6d} {word}")
