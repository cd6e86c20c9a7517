# label: clean CWE-918
import requests
from flask import Flask, jsonify, request

app = Flask(__name__)
API = "https://api.open-meteo.com/v1/forecast"


@app.route("/weather")
def weather():
    """Forecast for the client's coordinates from a fixed API; values go in as query parameters."""
    try:
        lat = float(request.args["lat"])
        lon = float(request.args["lon"])
    except (KeyError, ValueError):
        return jsonify({"error": "lat and lon required"}), 400
    r = requests.get(API, params={"latitude": lat, "longitude": lon, "current_weather": "true"}, timeout=5)
    return jsonify(r.json().get("current_weather", {}))
