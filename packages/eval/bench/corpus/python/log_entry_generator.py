# label: vulnerable CWE-117
import datetime


def generate_receive_log(msg: str) -> str:
    """Generate a log entry for a received user message with the current timestamp.

    The format is '[<timestamp_iso_format>] Received: <msg>'.
    """
    return f"[{datetime.datetime.now().isoformat()}] Received: {msg}"
