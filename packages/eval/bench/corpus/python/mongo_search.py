# label: vulnerable CWE-943
"""Product search API backed by MongoDB."""
from flask import Flask, jsonify, request
from pymongo import MongoClient

app = Flask(__name__)
db = MongoClient("mongodb://localhost:27017")["shop"]


@app.route("/products")
def products():
    max_price = request.args.get("max_price", "100")
    query = {"$where": "this.price <= " + max_price}
    return jsonify([{"name": p["name"], "price": p["price"]} for p in db.products.find(query)])
