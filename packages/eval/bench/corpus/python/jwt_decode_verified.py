# label: clean CWE-347
import os

import jwt
from flask import Flask, abort, request

app = Flask(__name__)


@app.route("/me")
def me():
    """Return the user named in a bearer token signed with our key."""
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        abort(401)
    try:
        claims = jwt.decode(auth[7:], os.environ["JWT_SECRET"], algorithms=["HS256"])
    except jwt.InvalidTokenError:
        abort(401)
    return {"user": claims.get("sub")}
