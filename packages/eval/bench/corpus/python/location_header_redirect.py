# label: vulnerable CWE-601
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse


class RedirectHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        """Short-link service: /go?to=<url>."""
        target = parse_qs(urlparse(self.path).query).get("to", ["/"])[0]
        self.send_response(302)
        self.send_header("Location", target)
        self.end_headers()
