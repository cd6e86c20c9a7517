# label: clean CWE-611
import defusedxml.ElementTree as ET


def read_settings(text: str) -> dict:
    """Parse untrusted XML settings with a parser that refuses entities and DTDs."""
    root = ET.fromstring(text)
    return {el.tag: el.text for el in root}
