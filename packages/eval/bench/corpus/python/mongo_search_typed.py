# label: clean CWE-943
from flask import Flask, jsonify, request
from pymongo import MongoClient

app = Flask(__name__)
db = MongoClient("mongodb://localhost:27017")["shop"]


@app.route("/products")
def products():
    """List products under a maximum price."""
    try:
        max_price = float(request.args.get("max_price", "100"))
    except ValueError:
        return jsonify({"error": "max_price must be a number"}), 400
    cursor = db.products.find({"price": {"$lte": max_price}}, {"_id": 0, "name": 1, "price": 1})
    return jsonify(list(cursor))
