# label: vulnerable CWE-1333
import re
from typing import Tuple


def search_pattern(pattern: str, content: str) -> Tuple[bool, str]:
    """Search for a user-provided pattern in user-provided content.

    Returns (False, '') if the pattern is not found or anything goes wrong.
    """
    try:
        match = re.search(pattern, content)
        if match:
            return True, match.group()
        return False, ""
    except Exception:
        return False, ""
