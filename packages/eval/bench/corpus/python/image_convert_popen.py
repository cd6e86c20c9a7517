# label: vulnerable CWE-78
import os
import sys


def make_thumbnail(src: str, size: str = "128x128") -> str:
    """Create a thumbnail next to the source image with ImageMagick."""
    out = os.path.splitext(src)[0] + "_thumb.png"
    os.popen(f"convert '{src}' -resize {size} '{out}'").read()
    return out


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(make_thumbnail(path))
