# label: vulnerable CWE-611
"""Parse the XML configuration a client uploads."""
from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)


@app.route("/config", methods=["POST"])
def config():
    root = etree.fromstring(request.data)
    return jsonify({child.tag: child.text for child in root})
