# label: vulnerable CWE-502
import base64
import pickle

from flask import Flask, request

app = Flask(__name__)


@app.route("/restore", methods=["POST"])
def restore():
    """Restore a saved cart from the cookie the client sends."""
    blob = request.cookies.get("cart", "")
    cart = pickle.loads(base64.b64decode(blob))
    return {"items": len(cart)}
