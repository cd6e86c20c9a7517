# label: vulnerable CWE-22
import os

from fastapi import FastAPI

app = FastAPI()
CACHE = "/var/cache/app"


@app.delete("/cache/{key}")
def evict(key: str):
    """Evict one cached entry."""
    os.remove(CACHE + "/" + key)
    return {"evicted": key}
