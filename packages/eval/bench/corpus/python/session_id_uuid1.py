# label: vulnerable CWE-338
import random
import time


def new_session_id(user_id: int) -> str:
    """Create a session id for the user."""
    random.seed(time.time())
    return f"{user_id}-{random.randint(0, 10**12):012d}"
