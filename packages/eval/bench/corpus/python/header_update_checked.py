# label: clean CWE-113
import re
from typing import Dict

_VALID = re.compile(r"^[\w ,;=./*-]*$")


def store_info_in_header(info_type: str, info_content: str, header: Dict[str, str]) -> Dict[str, str]:
    """Store the information in a header, refusing values with line breaks or control characters."""
    type_to_key = {"lang": "Accept-Language", "encoding": "Accept-Encoding", "cache": "Cache-Control"}
    if info_type not in type_to_key or not _VALID.match(info_content):
        return header
    header[type_to_key[info_type]] = info_content
    return header
