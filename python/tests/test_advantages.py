"""The group and per-token advantages, on lists and on tensors."""

from __future__ import annotations

import statistics

import pytest

from srcode_reward import group_advantages, token_advantages
from srcode_reward.rows import torch_or_none

torch = torch_or_none()


def test_group_advantages_normalise_within_each_group():
    scores = [1.0, 3.0, 10.0, 10.0, 7.0]
    adv = group_advantages(scores, ["a", "a", "b", "b", "c"], epsilon=0)
    sd = statistics.stdev([1.0, 3.0])
    assert adv[:2] == pytest.approx([-1 / sd, 1 / sd])
    assert adv[2:4] == [0.0, 0.0]  # a constant reward has zero advantage
    assert adv[4] == 7.0  # a group of one: mean 0, std 1
    assert group_advantages(scores, ["a", "a", "b", "b", "c"], normalize_std=False)[:2] == [-1.0, 1.0]


def test_token_advantages_scale_by_the_largest_token_reward_and_zero_the_padding():
    adv = token_advantages([0.5, -0.5], [[4, 0, 0], [0, -2, 7]], [[1, 1, 0], [1, 1, 0]])
    assert adv == [[1.5, 0.5, 0.0], [-0.5, -1.0, 0.0]]


@pytest.mark.skipif(torch is None, reason="torch is not installed (Debian: apt-get install python3-torch)")
def test_token_advantages_on_tensors_equal_the_lists():
    rewards, mask = [[4, 0, 0], [0, -2, 7]], [[1, 1, 0], [1, 1, 0]]
    expected = token_advantages([0.5, -0.5], rewards, mask)
    got = token_advantages(torch.tensor([0.5, -0.5]), torch.tensor(rewards, dtype=torch.float32), torch.tensor(mask))
    assert got.tolist() == expected
