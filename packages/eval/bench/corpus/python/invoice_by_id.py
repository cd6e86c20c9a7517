# label: clean CWE-22
import os

from flask import Flask, abort, send_file

app = Flask(__name__)
INVOICES = "/srv/invoices"


@app.route("/invoices/<int:invoice_id>")
def invoice(invoice_id: int):
    """Send an invoice PDF; the route only accepts an integer id."""
    path = os.path.join(INVOICES, f"{invoice_id}.pdf")
    if not os.path.isfile(path):
        abort(404)
    return send_file(path, mimetype="application/pdf")
