# label: vulnerable CWE-347
import jwt
from flask import Flask, abort, request

app = Flask(__name__)


@app.route("/me")
def me():
    """Return the user named in the bearer token."""
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        abort(401)
    claims = jwt.decode(auth[7:], options={"verify_signature": False})
    return {"user": claims.get("sub")}
