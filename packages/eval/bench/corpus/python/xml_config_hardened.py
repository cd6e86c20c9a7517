# label: clean CWE-611
from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False)


@app.route("/config", methods=["POST"])
def config():
    """Parse the uploaded configuration with entity resolution turned off."""
    root = etree.fromstring(request.data, parser=PARSER)
    return jsonify({child.tag: child.text for child in root})
