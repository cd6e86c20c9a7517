# label: vulnerable CWE-113
from typing import Dict


def store_info_in_header(info_type: str, info_content: str, header: Dict[str, str]) -> Dict[str, str]:
    """Store the provided information in an HTTP response header under the type's header name."""
    type_to_key = {"lang": "Accept-Language", "encoding": "Accept-Encoding", "cache": "Cache-Control"}
    if info_type not in type_to_key:
        return header
    header[type_to_key[info_type]] = info_content
    return header
