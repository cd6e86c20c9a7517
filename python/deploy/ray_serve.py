"""srcode-reward serve as a Ray Serve deployment (UNTESTED here: Ray is not installable on the build machine).

Each replica starts its own ``srcode-reward serve`` on a loopback port and forwards the routes to it,
so Ray Serve does the placement and the restarts; the trainer posts to the Ray Serve HTTP address
(``RewardClient("http://HEAD:8000")``), or lists several such addresses for fail-over.

    serve run python/deploy/ray_serve.py:app pairs=/data/pairs.jsonl tokenizer=/models/tokenizer
"""

import asyncio
import http.client
import re
import subprocess

from ray import serve
from starlette.requests import Request
from starlette.responses import Response


@serve.deployment(num_replicas=3, ray_actor_options={"num_cpus": 2})
class RewardService:
    def __init__(self, pairs: str, tokenizer: str, workers: int = 2) -> None:
        self.proc = subprocess.Popen(
            ["srcode-reward", "serve", "--port", "0", "--pairs", pairs, "--tokenizer", tokenizer, "--workers", str(workers)],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not match:
            raise RuntimeError(f"srcode-reward serve did not start: {line!r}")
        self.port = int(match.group(1))

    def _forward(self, method: str, path: str, body: bytes) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        conn.request(method, path, body=body or None, headers={"content-type": "application/json"})
        answer = conn.getresponse()
        data = answer.read()
        conn.close()
        headers = {k: v for k, v in answer.getheaders() if k.lower() in ("content-type", "retry-after")}
        return Response(content=data, status_code=answer.status, headers=headers)

    async def __call__(self, request: Request) -> Response:
        body = await request.body()
        return await asyncio.to_thread(self._forward, request.method, request.url.path, body)

    def __del__(self) -> None:
        if getattr(self, "proc", None) and self.proc.poll() is None:
            self.proc.terminate()


def app_builder(args: dict):
    return RewardService.bind(args["pairs"], args["tokenizer"], int(args.get("workers", 2)))


app = app_builder
