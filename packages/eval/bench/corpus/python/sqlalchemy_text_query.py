# label: vulnerable CWE-89
from fastapi import Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session

from .db import get_session

app = FastAPI()


@app.get("/books")
def books(author: str, session: Session = Depends(get_session)):
    """Books by an author."""
    rows = session.execute(text(f"SELECT title, year FROM books WHERE author = '{author}'")).all()
    return [{"title": r.title, "year": r.year} for r in rows]
