"""TRL: a ``GRPOTrainer`` reward function (one float per completion) and per-token advantages for its loss.

Followed: TRL's custom reward functions, called as ``f(prompts=..., completions=..., completion_ids=...,
**dataset_columns)`` and returning one float (or ``None``) per completion; and ``GRPOTrainer``'s
``_generate_and_score_completions`` output (``completion_ids``, ``completion_mask``, ``advantages``),
whose ``advantages`` the loss takes as ``(B,)`` or, in releases that unsqueeze only 1-D advantages,
``(B, T)``. TRL is imported only by :func:`token_grpo_trainer`.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional, Sequence

from srcode_reward.advantages import token_advantages
from srcode_reward.client import RewardClient
from srcode_reward.completions import Completion
from srcode_reward.rows import as_tensor, pad_rows, shape_of, to_lists, torch_or_none


def _text(completion: Any) -> str:
    if isinstance(completion, str):
        return completion
    # conversational: [{"role": "assistant", "content": ...}]
    if isinstance(completion, (list, tuple)) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content", ""))
    raise TypeError(f"expected a completion string or a list of messages, not {type(completion).__name__}")


class SecurityReward:
    """A TRL reward function: the sum of each completion's per-token security rewards.

    The pair of each completion comes from the dataset column ``pair_key`` (TRL passes every column
    as a keyword argument). With ``completion_ids`` (TRL passes them) and ``send_token_ids=True``, the
    ids go with the text, so the per-token rows kept in :attr:`last_token_rewards` align with the
    policy's tokens; the server needs the policy's ``--tokenizer`` for that. ``__name__`` is what TRL
    logs the reward under. A completion the server refuses scores 0 (``on_invalid="raise"`` raises).
    """

    def __init__(
        self,
        client: RewardClient,
        *,
        pair_key: str = "pair_id",
        send_token_ids: bool = True,
        options: Optional[Dict[str, Any]] = None,
        name: str = "security_reward",
        on_invalid: str = "zero",
    ) -> None:
        self.client = client
        self.pair_key = pair_key
        self.send_token_ids = send_token_ids
        self.options = dict(options) if options else None
        self.__name__ = name
        self.on_invalid = on_invalid
        self._local = threading.local()

    @property
    def last_token_rewards(self) -> List[List[float]]:
        """The per-token rewards of the last call on this thread, one row per completion."""
        return getattr(self._local, "rows", [])

    def __call__(
        self,
        prompts: Optional[Sequence[Any]] = None,
        completions: Sequence[Any] = (),
        completion_ids: Optional[Sequence[Sequence[int]]] = None,
        **kwargs: Any,
    ) -> List[Optional[float]]:
        pair_ids = kwargs.get(self.pair_key)
        if pair_ids is None:
            raise ValueError(f'the dataset has no "{self.pair_key}" column: each prompt needs the id of its pair')
        batch = []
        ids = to_lists(completion_ids) if completion_ids is not None and self.send_token_ids else None
        for i, completion in enumerate(completions):
            batch.append(
                Completion(
                    _text(completion),
                    token_ids=ids[i] if ids is not None else None,
                    pair_id=str(pair_ids[i]),
                    options=self.options,
                )
            )
        results = self.client.rewards(batch, on_invalid=self.on_invalid)
        self._local.rows = [r.rewards for r in results]
        return [r.total for r in results]


def per_token_advantages(
    advantages: Any,
    token_rewards: Sequence[Sequence[float]],
    completion_mask: Any,
    *,
    token_coef: float = 1.0,
) -> Any:
    """``(B, T)`` advantages for TRL's loss: its ``(B,)`` GRPO advantages plus each token's own reward.

    ``token_rewards`` holds one row per completion (as :attr:`SecurityReward.last_token_rewards`),
    padded or cut to ``T = completion_mask.shape[1]``; padding gets zero.
    """
    _, length = shape_of(completion_mask)
    rows = pad_rows(token_rewards, length)
    if torch_or_none() is not None and hasattr(completion_mask, "device"):
        rows = as_tensor(rows, like=completion_mask)
    return token_advantages(advantages, rows, completion_mask, token_coef=token_coef)


class TokenAdvantageMixin:
    """Put before ``GRPOTrainer`` in the bases: swaps its ``(B,)`` advantages for ``(B, T)`` ones.

    Needs a :class:`SecurityReward` among the trainer's ``reward_funcs`` (found by type) and
    ``token_coef`` (class attribute, default 1). Supports a single process (the reward rows are this
    process's completions); under several processes TRL gathers rewards across them and the rows kept
    here are the local slice, which is what the local advantages slice needs.
    """

    token_coef: float = 1.0

    def _generate_and_score_completions(self, inputs: Any) -> Dict[str, Any]:
        output = super()._generate_and_score_completions(inputs)  # type: ignore[misc]
        reward = next((f for f in getattr(self, "reward_funcs", []) if isinstance(f, SecurityReward)), None)
        if reward is None:
            raise ValueError("TokenAdvantageMixin needs a SecurityReward in reward_funcs")
        rows = reward.last_token_rewards
        advantages = output["advantages"]
        if len(rows) != shape_of(output["completion_ids"])[0]:
            raise ValueError(f"{len(rows)} reward rows for {shape_of(output['completion_ids'])[0]} completions")
        output["advantages"] = per_token_advantages(advantages, rows, output["completion_mask"], token_coef=self.token_coef)
        return output


def token_grpo_trainer(base: Any = None) -> Any:
    """A ``GRPOTrainer`` subclass whose loss gets per-token advantages (imports TRL unless ``base`` is given)."""
    if base is None:
        from trl import GRPOTrainer as base  # noqa: PLC0415, N813 - TRL is optional
    return type("TokenGRPOTrainer", (TokenAdvantageMixin, base), {})
