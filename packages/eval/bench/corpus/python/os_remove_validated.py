# label: clean CWE-22
import os
import re

from fastapi import FastAPI, HTTPException

app = FastAPI()
CACHE = "/var/cache/app"
KEY = re.compile(r"^[a-f0-9]{32}$")


@app.delete("/cache/{key}")
def evict(key: str):
    """Evict one cached entry; keys are hex digests only."""
    if not KEY.match(key):
        raise HTTPException(status_code=400)
    path = os.path.join(CACHE, key)
    if os.path.exists(path):
        os.remove(path)
    return {"evicted": key}
