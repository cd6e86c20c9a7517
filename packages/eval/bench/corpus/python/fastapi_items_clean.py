# label: clean
from typing import Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI(title="Inventory")


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(ge=0)
    tags: list[str] = []


ITEMS: dict[int, Item] = {}


@app.post("/items/{item_id}")
def create_item(item_id: int, item: Item) -> Item:
    """Create an item under an id."""
    if item_id in ITEMS:
        raise HTTPException(status_code=409, detail="exists")
    ITEMS[item_id] = item
    return item


@app.get("/items/{item_id}")
def read_item(item_id: int, q: Optional[str] = None) -> dict:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404)
    return {"item": ITEMS[item_id], "q": q}
