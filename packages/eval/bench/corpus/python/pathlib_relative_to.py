# label: clean CWE-22
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

app = FastAPI()
STATIC = Path("/srv/static").resolve()


@app.get("/static/{name:path}")
def static(name: str):
    """Serve a static file if its resolved path is inside the static folder."""
    target = (STATIC / name).resolve()
    try:
        target.relative_to(STATIC)
    except ValueError:
        raise HTTPException(status_code=404)
    if not target.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(target)
