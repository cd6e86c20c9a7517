# label: clean
import logging
import sys

logger = logging.getLogger(__name__)


def setup(level: str = "INFO") -> None:
    """Log to stderr with timestamps."""
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def process(items: list[int]) -> int:
    total = 0
    for i, item in enumerate(items):
        logger.debug("item %d = %d", i, item)
        total += item
    logger.info("processed %d items, total %d", len(items), total)
    return total
