# label: vulnerable CWE-601
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

app = FastAPI()


@app.get("/logout")
def logout(return_to: str = "/"):
    """Clear the session and go back to where the user was."""
    response = RedirectResponse(url=return_to)
    response.delete_cookie("session")
    return response
