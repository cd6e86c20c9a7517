"""The client of ``srcode-reward serve``: retries, fail-over over replicas, batches split to the server's limits."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from srcode_reward.completions import CompletionLike, RewardResult, encode_json, wire_completion, work_of
from srcode_reward.errors import RewardServiceError
from srcode_reward.limits import LimitBook, ServerLimits, limits_from_health, limits_from_message, plan_chunks
from srcode_reward.offsets import utf16_length
from srcode_reward.pool import EndpointPool
from srcode_reward.retry import Retry

Urls = Union[str, Sequence[str]]


def _error_of(answer, url: str) -> RewardServiceError:
    detail = answer.body.get("error") if isinstance(answer.body, dict) else None
    if isinstance(detail, dict):
        code, message = str(detail.get("code", "error")), str(detail.get("message", ""))
    else:
        text = answer.raw[:200].decode("utf-8", "replace").strip()
        code, message = "bad-response", f"a {answer.status} answer that is not the service's JSON: {text!r}"
    return RewardServiceError(answer.status, code, message, url=url)


class RewardClient:
    """A thread-safe client of one or more reward servers (replicas serving the same pairs).

    Each request goes to the next server in turn (round-robin); a server that refuses connections,
    times out, or answers 429/503/5xx is left alone for a while (its ``Retry-After``, or a growing
    backoff) and the request is sent to another, up to ``retry.attempts`` requests in all. Batches
    larger than the server's limits are split into several requests, sent ``concurrency`` at a time,
    and the answers joined in order; limits are lowered whenever a server's 413 (or its
    ``/healthz``) states smaller ones. ``timeout`` bounds each socket operation (connect, send, each
    read) in seconds. Offsets are code points (Python ``str`` indices) unless a completion says
    otherwise. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        urls: Urls = "http://127.0.0.1:8765",
        *,
        timeout: float = 120.0,
        retry: Optional[Retry] = None,
        concurrency: int = 4,
        limits: Optional[ServerLimits] = None,
        offset_unit: str = "codepoint",
    ) -> None:
        url_list = [urls] if isinstance(urls, str) else list(urls)
        if not url_list:
            raise ValueError("expected at least one server URL")
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, not {concurrency}")
        self.urls = url_list
        self.timeout = float(timeout)
        self.retry = retry or Retry()
        self.concurrency = concurrency
        self.offset_unit = offset_unit
        self._initial_limits = limits or ServerLimits()
        self._setup()

    def _setup(self) -> None:
        self._pool = EndpointPool(self.urls, self.retry, max_idle=max(16, self.concurrency))
        self._limits = LimitBook(self._initial_limits)
        self._executor: Optional[ThreadPoolExecutor] = None
        self._executor_lock = threading.Lock()

    # a client crosses process boundaries (Ray, multiprocessing) without its sockets and threads
    def __getstate__(self) -> Dict[str, Any]:
        keep = ("urls", "timeout", "retry", "concurrency", "offset_unit")
        return {**{k: self.__dict__[k] for k in keep}, "_initial_limits": self._limits.current}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __enter__(self) -> "RewardClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes idle connections and stops the client's threads."""
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        self._pool.close()

    @property
    def limits(self) -> ServerLimits:
        """The per-request limits the client splits batches by (the server's defaults until told otherwise)."""
        return self._limits.current

    def health(self) -> List[Dict[str, Any]]:
        """``GET /healthz`` of every server (an ``error`` entry for one that does not answer); learns stated limits."""
        out = []
        for endpoint in self._pool.endpoints:
            try:
                answer = endpoint.exchange("GET", "/healthz", None, self.timeout)
                body = answer.body if isinstance(answer.body, dict) else {}
                self._limits.learn(limits_from_health(body))
                out.append({"url": endpoint.url, "status": answer.status, **body})
            except RewardServiceError as e:
                out.append({"url": endpoint.url, "status": None, "error": e.code, "message": e.message})
        return out

    def call(self, path: str, payload: Any) -> Any:
        """POSTs one JSON request (with retries and fail-over) and returns the parsed answer."""
        return self._post(path, encode_json(payload))

    def _post(self, path: str, body: bytes) -> Any:
        answer, url = self._pool.send("POST", path, body, self.timeout, _error_of)
        if not isinstance(answer.body, (dict, list)):
            raise RewardServiceError(answer.status, "bad-response", "the answer is not JSON", url=url)
        return answer.body

    def _executor_get(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="srcode-reward")
            return self._executor

    def _run_chunks(self, chunks: List[Tuple[int, int]], send) -> List[Any]:
        if len(chunks) == 1 or self.concurrency == 1:
            return [send(s, e) for s, e in chunks]
        futures = [self._executor_get().submit(send, s, e) for s, e in chunks]
        return [f.result() for f in futures]

    def rewards(
        self,
        completions: Sequence[CompletionLike],
        *,
        pair_id: Optional[str] = None,
        pair: Optional[Mapping[str, Any]] = None,
        options: Optional[Mapping[str, Any]] = None,
        on_invalid: str = "raise",
    ) -> List[RewardResult]:
        """Per-token rewards of each completion, in order (``POST /v1/rewards``, split as the limits need).

        ``pair_id``/``pair`` and ``options`` apply to every completion that names none of its own.
        ``on_invalid="zero"`` keeps a batch going when the server refuses one completion with a 400
        (token ids that do not spell its text, say a response cut inside a character): that completion
        gets zero rewards (one per token it sent) and the server's message in ``error``, the others
        are scored; with ``"raise"`` (the default) the error is raised.
        """
        if on_invalid not in ("raise", "zero"):
            raise ValueError(f'on_invalid must be "raise" or "zero", not {on_invalid!r}')
        wires = [wire_completion(c, self.offset_unit) for c in completions]
        if not wires:
            return []
        envelope: Dict[str, Any] = {}
        if pair_id is not None:
            envelope["pairId"] = pair_id
        if pair is not None:
            envelope["pair"] = dict(pair)
        if options:
            envelope["options"] = dict(options)
        head = encode_json(envelope)[:-1] + (b',"completions":[' if envelope else b'"completions":[')
        base_work = work_of({"text": "", "pair": pair}) if pair is not None else 0
        parts = [encode_json(w) for w in wires]
        costs = [(work_of(w), len(p)) for w, p in zip(wires, parts)]
        too_long = self.limits.max_text_length
        for i, w in enumerate(wires):
            if too_long is not None and utf16_length(w["text"]) > too_long:
                raise RewardServiceError(
                    413, "too-large", f"completions[{i}].text has {utf16_length(w['text'])} UTF-16 units; the limit is {too_long}"
                )

        def send(start: int, end: int) -> List[RewardResult]:
            body = head + b",".join(parts[start:end]) + b"]}"
            try:
                reply = self._post("/v1/rewards", body)
            except RewardServiceError as e:
                if e.status == 400 and on_invalid == "zero":
                    return self._without_invalid(e, start, end, wires, send)
                return [r for part in self._split_after_413(e, start, end, costs, base_work, send) for r in part]
            results = reply.get("results") if isinstance(reply, dict) else None
            if not isinstance(results, list) or len(results) != end - start:
                raise RewardServiceError(200, "bad-response", f"expected {end - start} results, got {type(results).__name__}")
            out = [RewardResult.from_wire(r) for r in results]
            for k, r in enumerate(out):
                if "id" not in wires[start + k]:
                    r.id = f"completion-{start + k}"
            return out

        chunks = plan_chunks(costs, self.limits, base_work)
        return [r for part in self._run_chunks(chunks, send) for r in part]

    @staticmethod
    def _without_invalid(error: RewardServiceError, start: int, end: int, wires, send) -> List[RewardResult]:
        """``[start, end)`` scored again without the completion a 400 names, which gets zero rewards."""
        m = re.search(r"completions\[(\d+)\]", error.message)
        k = int(m.group(1)) if m else -1
        if not 0 <= k < end - start:
            if end - start == 1:
                k = 0
            else:  # the message names no completion: halve until it does
                mid = start + (end - start) // 2
                return send(start, mid) + send(mid, end)
        bad = wires[start + k]
        tokens = len(bad.get("offsets") or bad.get("tokenIds") or [])
        zero = RewardResult(id=str(bad.get("id", f"completion-{start + k}")), rewards=[0.0] * tokens, error=error.message)
        before = send(start, start + k) if k > 0 else []
        after = send(start + k + 1, end) if start + k + 1 < end else []
        return before + [zero] + after

    def _split_after_413(self, error: RewardServiceError, start: int, end: int, costs, base_work: int, send) -> List[Any]:
        """The answers of ``[start, end)`` sent again in smaller requests, after a 413 for it (re-raised for one completion)."""
        if error.status != 413 or end - start < 2:
            raise error
        learned = self._limits.learn(limits_from_message(error.message))
        sub = plan_chunks(costs[start:end], self.limits, base_work)
        if not learned or len(sub) < 2:
            # a limit the message does not name: halve, down to one completion a request
            mid = (end - start) // 2
            sub = [(0, mid), (mid, end - start)]
        return [send(start + s, start + e) for s, e in sub]

    def openrlhf(
        self,
        queries: Sequence[str],
        prompts: Optional[Sequence[str]] = None,
        labels: Optional[Sequence[Any]] = None,
    ) -> Dict[str, Any]:
        """OpenRLHF's remote reward call (``POST /v1/openrlhf``), split as the limits need.

        Returns ``{"rewards", "scores", "extra_logs"}`` with one entry per query, in order; each
        reward is the sum of the response's token rewards. The server needs ``--tokenizer``.
        """
        n = len(queries)
        if prompts is not None and len(prompts) != n or labels is not None and len(labels) not in (0, n):
            raise ValueError(f"prompts and labels must have one entry per query ({n} queries)")
        if n == 0:
            return {"rewards": [], "scores": [], "extra_logs": {}}
        costs = [(utf16_length(q) - (utf16_length(prompts[i]) if prompts else 0), len(encode_json(q)) * 2) for i, q in enumerate(queries)]

        def send(start: int, end: int) -> Dict[str, Any]:
            payload: Dict[str, Any] = {"query": list(queries[start:end])}
            if prompts is not None:
                payload["prompts"] = list(prompts[start:end])
            if labels:
                payload["labels"] = list(labels[start:end])
            try:
                return self.call("/v1/openrlhf", payload)
            except RewardServiceError as e:
                parts = self._split_after_413(e, start, end, costs, 0, send)
                return _join_openrlhf(parts)

        return _join_openrlhf(self._run_chunks(plan_chunks(costs, self.limits), send))


def _join_openrlhf(parts: List[Dict[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"rewards": [], "scores": [], "extra_logs": {}}
    for part in parts:
        out["rewards"].extend(part.get("rewards", []))
        out["scores"].extend(part.get("scores", part.get("rewards", [])))
        for key, values in (part.get("extra_logs") or {}).items():
            out["extra_logs"].setdefault(key, []).extend(values if isinstance(values, list) else [values])
    return out
