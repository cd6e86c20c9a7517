# label: clean CWE-79
import html

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

app = FastAPI()


@app.get("/welcome", response_class=HTMLResponse)
async def welcome(name: str = "friend"):
    """Return a welcome page for the given name, escaped."""
    safe_name = html.escape(name)
    return f"<html><body><h2>Welcome back, {safe_name}</h2></body></html>"
