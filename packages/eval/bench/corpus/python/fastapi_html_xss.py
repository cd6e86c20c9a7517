# label: vulnerable CWE-79
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

app = FastAPI()


@app.get("/welcome", response_class=HTMLResponse)
async def welcome(name: str = "friend"):
    """Return a welcome page for the given name."""
    return f"""
    <html>
      <head><title>Welcome</title></head>
      <body><h2>Welcome back, {name}</h2></body>
    </html>
    """
