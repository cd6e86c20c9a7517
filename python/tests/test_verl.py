"""verl: the reward manager on a batch shaped as verl passes it, the token_grpo estimator, and its registration.

verl cannot be installed here: the batch is an object with verl's attributes (``batch`` holding
``prompts``, ``responses``, ``attention_mask``; ``non_tensor_batch["extra_info"]``), carrying real
token ids of Qwen's tokenizer.json and real tensors when torch imports.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import srcode_reward.verl as verl_adapter
from srcode_reward import RewardClient, RewardServiceError
from srcode_reward.rows import torch_or_none
from srcode_reward.verl import CONFIG_SNIPPET, TokenRewardManager, compute_token_grpo_advantage

torch = torch_or_none()
needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed (Debian: apt-get install python3-torch)")
PROMPT_LEN, RESPONSE_LEN = 6, 160


class Batch:
    """What verl's ``DataProto`` offers a reward manager: ``batch`` (a TensorDict), ``non_tensor_batch`` and ``len``."""

    def __init__(self, batch, non_tensor_batch):
        self.batch = batch
        self.non_tensor_batch = non_tensor_batch

    def __len__(self):
        return len(self.non_tensor_batch["extra_info"])


def make_batch(qwen, qwen_server, rows, tensors):
    """rows: (text, pair id). Token ids are the tokenizer's own (the server encodes, as the policy would)."""
    with RewardClient(qwen_server.url) as client:
        ids = [r.token_ids for r in client.rewards([t for t, _ in rows])]
    prompts, responses, masks = [], [], []
    for k, row_ids in enumerate(ids):
        response = (row_ids + [qwen.eos_token_id])[:RESPONSE_LEN]
        prompt = [qwen.pad_token_id] * k + [9707] * (PROMPT_LEN - k)  # left-padded prompts of varied length
        prompts.append(prompt)
        responses.append(response + [qwen.pad_token_id] * (RESPONSE_LEN - len(response)))
        masks.append([0] * k + [1] * (PROMPT_LEN - k) + [1] * len(response) + [0] * (RESPONSE_LEN - len(response)))
    infos = [{"pair_id": pid, "index": k} for k, (_, pid) in enumerate(rows)]
    batch = {"prompts": prompts, "responses": responses, "attention_mask": masks}
    if tensors:
        batch = {k: torch.tensor(v) for k, v in batch.items()}
        try:
            import numpy as np  # noqa: PLC0415

            infos = np.array(infos, dtype=object)
        except ImportError:
            pass
    return Batch(batch, {"extra_info": infos}), ids


def rows_of(x):
    return x.tolist() if hasattr(x, "tolist") else x


@pytest.fixture(scope="module")
def cases(pairs):
    c_pair = next(p for p in pairs if "strcpy(dst, src)" in p["vulnerableCode"])
    py_pair = next(p for p in pairs if p["language"] == "python" and "yaml" in p["fixedCode"])
    return [
        (c_pair["fixedCode"], c_pair["id"]),
        (c_pair["vulnerableCode"], c_pair["id"]),
        (py_pair["fixedCode"], py_pair["id"]),
        (py_pair["vulnerableCode"], py_pair["id"]),
    ]


def check_manager(qwen, qwen_server, cases, tensors):
    data, ids = make_batch(qwen, qwen_server, cases, tensors)
    manager = TokenRewardManager(tokenizer=qwen, num_examine=0, urls=qwen_server.url)
    out = manager(data, return_dict=True)
    reward = rows_of(out["reward_tensor"])
    assert len(reward) == 4 and all(len(r) == RESPONSE_LEN for r in reward)
    with RewardClient(qwen_server.url) as client:
        direct = [client.rewards([t], pair_id=pid)[0] for t, pid in cases]
    for k, row_ids in enumerate(ids):
        n = len(row_ids)
        # the response's own tokens carry the rewards the text gets, the EOS none, the padding zero
        assert reward[k][:n] == pytest.approx(direct[k].rewards)
        assert reward[k][n:] == [0.0] * (RESPONSE_LEN - n)
    assert out["reward_extra_info"]["security_reward"][0] > 0 > out["reward_extra_info"]["security_reward"][1]
    assert out["reward_extra_info"]["secure_spans"][2] >= 1 and out["reward_extra_info"]["vulnerable_spans"][3] >= 1
    return out["reward_tensor"], data


@needs_torch
def test_reward_tensor_is_batch_by_response_length_and_aligned_with_the_policy_tokens(qwen, qwen_server, cases):
    tensor, data = check_manager(qwen, qwen_server, cases, tensors=True)
    assert tuple(tensor.shape) == (4, RESPONSE_LEN) and tensor.dtype == torch.float32
    assert tensor.device == data.batch["responses"].device
    # the secure tokens of the fixed C code spell its fix
    ids = data.batch["responses"][0].tolist()
    secure = [i for i, r in zip(ids, tensor[0].tolist()) if r > 0]
    assert "snprintf" in qwen.decode(secure)


def test_the_manager_takes_plain_lists_without_numpy_or_torch(qwen, qwen_server, cases):
    check_manager(qwen, qwen_server, cases, tensors=False)


def test_a_row_without_a_pair_id_is_refused_naming_it(qwen, qwen_server, cases):
    data, _ = make_batch(qwen, qwen_server, cases[:2], tensors=False)
    data.non_tensor_batch["extra_info"][1] = {"index": 1}
    manager = TokenRewardManager(tokenizer=qwen, urls=qwen_server.url)
    with pytest.raises(ValueError, match=r'row 1: non_tensor_batch\["extra_info"\] has no "pair_id"'):
        manager(data)


def test_urls_come_from_the_environment_when_reward_kwargs_name_none(monkeypatch, qwen_server):
    monkeypatch.setenv("SRCODE_REWARD_URLS", f"{qwen_server.url}, http://127.0.0.1:9")
    assert TokenRewardManager(tokenizer=None).client.urls == [qwen_server.url, "http://127.0.0.1:9"]
    monkeypatch.delenv("SRCODE_REWARD_URLS")
    with pytest.raises(ValueError, match="no reward server"):
        TokenRewardManager(tokenizer=None)


def grpo_inputs(reward_rows):
    mask = [[1.0 if k < 5 else 0.0 for k in range(6)] for _ in reward_rows]
    return reward_rows, mask


def test_token_grpo_keeps_per_token_credit_where_grpo_sums_it_away():
    rewards, mask = grpo_inputs([[0, 2, 0, 0, 0, 0], [0, 0, 0, -2, 0, 0], [0, 1, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]])
    adv, returns = compute_token_grpo_advantage(rewards, mask, index=["a", "a", "b", "b"])
    assert adv is returns and len(adv) == 4 and all(len(r) == 6 for r in adv)
    assert all(r[5] == 0 for r in adv)  # padding
    secure_row, vulnerable_row, same1, _ = adv
    # the group part: the secure response is above its sibling on every token
    assert secure_row[0] > 0 > vulnerable_row[0]
    # the token part: the rewarded token stands out of its own response, the penalised one below
    assert secure_row[1] > secure_row[0] and vulnerable_row[3] < vulnerable_row[0]
    # identical responses: no group advantage, only their tokens' own credit
    assert same1[0] == 0 and same1[1] == pytest.approx(0.5)


def test_token_grpo_with_zero_token_rewards_is_plain_grpo():
    rewards, mask = grpo_inputs([[0] * 6] * 4)
    adv, _ = compute_token_grpo_advantage(rewards, mask, index=[0, 0, 1, 1])
    assert all(x == 0 for row in adv for x in row)


@needs_torch
def test_token_grpo_on_tensors_matches_the_list_computation():
    rewards, mask = grpo_inputs([[0, 2, 0, 0, 0, 0], [0, 0, 0, -2, 0, 0], [0, 1, 0, 0, 0, 0], [0, 3, 0, 0, 0, 0]])
    index = ["a", "a", "b", "b"]
    as_lists, _ = compute_token_grpo_advantage(rewards, mask, index=index)
    as_tensors, _ = compute_token_grpo_advantage(torch.tensor(rewards, dtype=torch.float32), torch.tensor(mask), index=index)
    assert tuple(as_tensors.shape) == (4, 6)
    assert as_tensors.tolist() == [pytest.approx(r, abs=1e-5) for r in as_lists]


VERL_REGISTRY = '''
"""verl.trainer.ppo.core_algos's registry, as verl documents it."""
ADV_ESTIMATOR_REGISTRY = {}

def register_adv_est(name_or_enum):
    def decorator(fn):
        name = getattr(name_or_enum, "value", name_or_enum)
        if name in ADV_ESTIMATOR_REGISTRY and ADV_ESTIMATOR_REGISTRY[name] != fn:
            raise ValueError(f"Adv estimator {name} has already been registered")
        ADV_ESTIMATOR_REGISTRY[name] = fn
        return fn
    return decorator

def get_adv_estimator_fn(name):
    return ADV_ESTIMATOR_REGISTRY[name]
'''


def test_token_grpo_registers_in_verls_registry_once_even_when_loaded_by_path(tmp_path):
    pkg = tmp_path / "verl" / "trainer" / "ppo"
    pkg.mkdir(parents=True)
    for d in (tmp_path / "verl", tmp_path / "verl" / "trainer", pkg):
        (d / "__init__.py").write_text("")
    (pkg / "core_algos.py").write_text(VERL_REGISTRY)
    src = Path(verl_adapter.__file__).resolve()
    code = textwrap.dedent(
        f"""
        import importlib.util, sys
        sys.path[:0] = [{str(tmp_path)!r}, {str(src.parents[1])!r}]
        import srcode_reward.verl as adapter
        from verl.trainer.ppo.core_algos import get_adv_estimator_fn
        assert adapter.REGISTERED and get_adv_estimator_fn("token_grpo") is adapter.compute_token_grpo_advantage
        spec = importlib.util.spec_from_file_location("custom_module_x", {str(src)!r})
        again = importlib.util.module_from_spec(spec); spec.loader.exec_module(again)
        assert get_adv_estimator_fn("token_grpo") is adapter.compute_token_grpo_advantage
        print(again.TokenRewardManager.__name__)
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "TokenRewardManager"


def test_without_verl_the_adapter_imports_and_registers_nothing():
    assert importlib.util.find_spec("verl") is None
    assert verl_adapter.REGISTERED is False


def test_the_config_snippet_names_the_legacy_reward_path_and_the_estimator():
    for line in (
        "reward_model.use_reward_loop=False",
        "reward_manager.source=importlib",
        "reward_manager.name=TokenRewardManager",
        "reward_manager.module.path=pkg://srcode_reward.verl",
        "algorithm.adv_estimator=token_grpo",
    ):
        assert line in CONFIG_SNIPPET
    assert hasattr(verl_adapter, CONFIG_SNIPPET.split("reward_manager.name=")[1].split()[0])


def test_a_response_cut_inside_a_character_gets_a_zero_row_not_a_failed_step(qwen, qwen_server, cases):
    text, pid = cases[0]
    with RewardClient(qwen_server.url) as client:
        [emoji] = client.rewards(["x = 1  # 🔒"])
    cut = emoji.token_ids[:-1]  # generation stopped inside the emoji's bytes: the text decodes to U+FFFD
    data, ids = make_batch(qwen, qwen_server, [cases[0], (text, pid)], tensors=False)
    data.batch["responses"][1] = cut + [qwen.eos_token_id] + [qwen.pad_token_id] * (RESPONSE_LEN - len(cut) - 1)
    data.batch["attention_mask"][1] = [0, 1, 1, 1, 1, 1] + [1] * (len(cut) + 1) + [0] * (RESPONSE_LEN - len(cut) - 1)
    out = TokenRewardManager(tokenizer=qwen, urls=qwen_server.url)(data, return_dict=True)
    rows = rows_of(out["reward_tensor"])
    assert out["reward_extra_info"]["reward_errors"] == [0, 1]
    assert rows[1] == [0.0] * RESPONSE_LEN and sum(rows[0]) > 0
    with pytest.raises(RewardServiceError, match="offsets-mismatch"):
        TokenRewardManager(tokenizer=qwen, urls=qwen_server.url, on_invalid="raise")(data)
