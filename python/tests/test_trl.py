"""TRL: the reward function as GRPOTrainer calls it, and per-token advantages of shape (B, T) for its loss.

TRL cannot be installed here: the trainer is a base class with GRPOTrainer's
``_generate_and_score_completions`` contract (right-padded ``completion_ids``, ``completion_mask``,
``(B,)`` ``advantages`` normalised per group), holding real Qwen token ids and real tensors.
"""

from __future__ import annotations

import importlib.util

import pytest

from srcode_reward import RewardClient, group_advantages
from srcode_reward.rows import torch_or_none
from srcode_reward.trl import SecurityReward, TokenAdvantageMixin, per_token_advantages, token_grpo_trainer

torch = torch_or_none()
needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed (Debian: apt-get install python3-torch)")


@pytest.fixture(scope="module")
def group(pairs, qwen_server):
    """Two prompts x two generations: fixed and vulnerable code of two pairs, with the policy's token ids."""
    c_pair = next(p for p in pairs if "strcpy(dst, src)" in p["vulnerableCode"])
    py_pair = next(p for p in pairs if p["language"] == "python" and "yaml" in p["fixedCode"])
    rows = [
        (c_pair["fixedCode"], c_pair["id"]),
        (c_pair["vulnerableCode"], c_pair["id"]),
        (py_pair["fixedCode"], py_pair["id"]),
        (py_pair["vulnerableCode"], py_pair["id"]),
    ]
    with RewardClient(qwen_server.url) as client:
        ids = [r.token_ids for r in client.rewards([t for t, _ in rows])]
    return rows, ids


def call_reward(reward, rows, ids, eos, conversational=False):
    completions = [[{"role": "assistant", "content": t}] if conversational else t for t, _ in rows]
    return reward(
        prompts=["p"] * len(rows),
        completions=completions,
        completion_ids=[i + [eos] for i in ids],  # TRL's ids keep the EOS the mask keeps
        pair_id=[pid for _, pid in rows],
        trainer_state=None,
    )


def test_the_reward_function_returns_one_float_per_completion(qwen, qwen_server, group):
    rows, ids = group
    reward = SecurityReward(RewardClient(qwen_server.url))
    scores = call_reward(reward, rows, ids, qwen.eos_token_id)
    conversational = call_reward(reward, rows, ids, qwen.eos_token_id, conversational=True)
    assert len(scores) == 4 and all(isinstance(s, float) for s in scores)
    assert scores[0] > 0 > scores[1] and scores[2] > 0 > scores[3]
    assert conversational == scores
    assert reward.__name__ == "security_reward"
    assert [len(r) for r in reward.last_token_rewards] == [len(i) + 1 for i in ids]
    assert [sum(r) for r in reward.last_token_rewards] == pytest.approx(scores)


def test_a_dataset_without_the_pair_column_is_refused(qwen_server):
    reward = SecurityReward(RewardClient(qwen_server.url))
    with pytest.raises(ValueError, match='no "pair_id" column'):
        reward(prompts=["p"], completions=["x"])


def test_text_only_completions_work_without_ids(qwen_server, group):
    rows, _ = group
    reward = SecurityReward(RewardClient(qwen_server.url), send_token_ids=False)
    scores = reward(prompts=["p"] * 4, completions=[t for t, _ in rows], pair_id=[p for _, p in rows])
    assert scores[0] > 0 > scores[1]


def padded(ids, eos, pad):
    width = max(len(i) for i in ids) + 1
    completion_ids = [i + [eos] + [pad] * (width - len(i) - 1) for i in ids]
    mask = [[1] * (len(i) + 1) + [0] * (width - len(i) - 1) for i in ids]
    return completion_ids, mask


class GRPOBase:
    """GRPOTrainer's side of the contract: scores with its reward functions, answers (B,) advantages."""

    def __init__(self, reward_funcs, completions, pair_ids, completion_ids, completion_mask, tensors):
        self.reward_funcs = reward_funcs
        self.completions, self.pair_ids = completions, pair_ids
        self.completion_ids, self.completion_mask = completion_ids, completion_mask
        self.tensors = tensors

    def _generate_and_score_completions(self, inputs):
        ids = [[t for t, m in zip(row, mrow) if m] for row, mrow in zip(self.completion_ids, self.completion_mask)]
        rewards = self.reward_funcs[0](prompts=inputs, completions=self.completions, completion_ids=ids, pair_id=self.pair_ids)
        advantages = group_advantages(rewards, [0, 0, 1, 1], epsilon=1e-4)
        wrap = torch.tensor if self.tensors else (lambda x: x)
        return {
            "completion_ids": wrap(self.completion_ids),
            "completion_mask": wrap(self.completion_mask),
            "advantages": wrap(advantages),
        }


def check_trainer(qwen, qwen_server, group, tensors):
    rows, ids = group
    completion_ids, mask = padded(ids, qwen.eos_token_id, qwen.pad_token_id)
    reward = SecurityReward(RewardClient(qwen_server.url))
    trainer_cls = token_grpo_trainer(GRPOBase)
    assert issubclass(trainer_cls, TokenAdvantageMixin)
    trainer = trainer_cls([reward], [t for t, _ in rows], [p for _, p in rows], completion_ids, mask, tensors)
    out = trainer._generate_and_score_completions(["prompt"] * 4)
    adv = out["advantages"]
    rows_adv = adv.tolist() if hasattr(adv, "tolist") else adv
    width = len(completion_ids[0])
    assert len(rows_adv) == 4 and all(len(r) == width for r in rows_adv)
    for k, row in enumerate(rows_adv):
        n = sum(mask[k])
        assert row[n:] == [0.0] * (width - n)
        token_rewards = reward.last_token_rewards[k]
        neutral = [a for a, r in zip(row[:n], token_rewards) if r == 0]
        if any(r > 0 for r in token_rewards):
            assert max(row[:n]) > max(neutral)
        if any(r < 0 for r in token_rewards):
            assert min(row[:n]) < min(neutral)
    # the group part still ranks the fixed response above the vulnerable one on neutral tokens
    assert rows_adv[0][0] > rows_adv[1][0]
    return adv


@needs_torch
def test_the_trainer_hook_feeds_b_by_t_advantages_as_tensors(qwen, qwen_server, group):
    adv = check_trainer(qwen, qwen_server, group, tensors=True)
    assert adv.dim() == 2 and adv.dtype == torch.float32


def test_the_trainer_hook_works_on_lists(qwen, qwen_server, group):
    check_trainer(qwen, qwen_server, group, tensors=False)


def test_per_token_advantages_pad_and_cut_rows_to_the_completion_width():
    adv = per_token_advantages([1.0, -1.0], [[0, 2, 0, 0, 9], [0]], [[1, 1, 1, 0], [1, 0, 0, 0]])
    assert adv == [[1.0, 2.0, 1.0, 0.0], [-1.0, 0.0, 0.0, 0.0]]


def test_without_trl_the_adapter_imports_and_the_trainer_factory_says_what_is_missing():
    assert importlib.util.find_spec("trl") is None
    with pytest.raises(ImportError):
        token_grpo_trainer()
