# label: vulnerable CWE-611
"""Stream-parse large XML feeds the partners upload."""
import xml.sax
from xml.sax.handler import feature_external_ges


class ItemHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.items = []
        self._current = None

    def startElement(self, name, attrs):
        if name == "item":
            self._current = {"id": attrs.get("id")}

    def endElement(self, name):
        if name == "item" and self._current is not None:
            self.items.append(self._current)
            self._current = None


def parse_feed(path: str) -> list:
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    handler = ItemHandler()
    parser.setContentHandler(handler)
    parser.parse(path)
    return handler.items
