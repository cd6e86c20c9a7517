# label: vulnerable CWE-918
"""Webhook tester endpoint."""
import httpx
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class WebhookTest(BaseModel):
    callback_url: str
    payload: dict


@app.post("/webhooks/test")
async def test_webhook(body: WebhookTest):
    """Send the payload to the caller's callback URL and report what came back."""
    async with httpx.AsyncClient(timeout=10) as client:
        r = await client.post(body.callback_url, json=body.payload)
    return {"status": r.status_code, "body": r.text[:500]}
