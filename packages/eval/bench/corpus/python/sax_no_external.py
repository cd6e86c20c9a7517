# label: clean CWE-611
import xml.sax
from xml.sax.handler import feature_external_ges, feature_external_pes


class CountHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.count = 0

    def startElement(self, name, attrs):
        self.count += 1


def count_elements(path: str) -> int:
    """Count the elements of an XML file with external entities turned off."""
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    handler = CountHandler()
    parser.setContentHandler(handler)
    parser.parse(path)
    return handler.count
