# label: vulnerable CWE-377
import json


def cache_response(data: dict) -> None:
    """Keep the last API response for debugging."""
    with open("/tmp/last_response.json", "w") as fh:
        json.dump(data, fh)
