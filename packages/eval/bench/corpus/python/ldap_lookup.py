# label: vulnerable CWE-90
"""Look up an employee in the company directory."""
import ldap
from flask import Flask, jsonify, request

app = Flask(__name__)
LDAP_URI = "ldap://ldap.example.com"
BASE_DN = "ou=people,dc=example,dc=com"


@app.route("/employee")
def employee():
    uid = request.args.get("uid", "")
    conn = ldap.initialize(LDAP_URI)
    conn.simple_bind_s()
    search_filter = "(uid=" + uid + ")"
    results = conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, search_filter, ["cn", "mail"])
    return jsonify([{k: [v.decode() for v in vals] for k, vals in attrs.items()} for _, attrs in results])
