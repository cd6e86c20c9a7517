"""OpenRLHF: the remote reward model is the server's ``POST /v1/openrlhf``; this module is the in-process variant.

Remote (no Python needed on the trainer side): ``--reward.remote_url http://HOST:8765/v1/openrlhf``
with ``--data.label_key pair_id`` (``--remote_rm_url`` and ``--label_key`` in older releases). OpenRLHF posts ``{"query",
"prompts", "labels"}`` and reads ``{"rewards"}``; each reward is the sum of the response's token
rewards, so OpenRLHF's own estimators see one score per sample, and ``extra_logs`` (span and token
counts) reach its logs. Per-token credit does not cross this protocol.

In process: pass this file's path instead of a URL (``--reward.remote_url /path/to/openrlhf.py``;
OpenRLHF then calls its ``reward_func``); it posts the same batch through
:class:`~srcode_reward.RewardClient` (retries, fail-over over ``$SRCODE_REWARD_URLS``, batches split to
the server's limits) and returns torch tensors when torch imports.

This file uses absolute imports only, so OpenRLHF may load it by file path.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Dict, Optional, Sequence

from srcode_reward.client import RewardClient
from srcode_reward.rows import torch_or_none

#: Comma-separated server URLs the in-process reward function sends to.
URLS_ENV = "SRCODE_REWARD_URLS"

_client: Optional[RewardClient] = None
_lock = threading.Lock()


def default_client() -> RewardClient:
    """The module's client, built once from ``$SRCODE_REWARD_URLS``."""
    global _client
    with _lock:
        if _client is None:
            urls = [u.strip() for u in os.environ.get(URLS_ENV, "").split(",") if u.strip()]
            if not urls:
                raise ValueError(f"no reward server: set ${URLS_ENV} (comma-separated URLs)")
            _client = RewardClient(urls)
        return _client


def _tensor(values: Sequence[float]):
    torch = torch_or_none()
    return torch.tensor(list(values), dtype=torch.float32) if torch is not None else list(values)


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any], **kwargs: Any) -> Dict[str, Any]:
    """OpenRLHF's reward function: ``{"rewards", "scores", "extra_logs"}``, one value per query.

    ``labels`` carry each sample's pair id (``--label_key``). A ``client`` keyword overrides the
    module's client.
    """
    client = kwargs.get("client") or default_client()
    reply = client.openrlhf(list(queries), list(prompts), list(labels) if labels is not None else None)
    return {
        "rewards": _tensor(reply["rewards"]),
        "scores": _tensor(reply["scores"]),
        "extra_logs": {k: _tensor(v) for k, v in reply["extra_logs"].items()},
    }
