"""verl: a reward manager writing per-token security rewards into ``reward_tensor``, and the ``token_grpo`` estimator.

Followed: verl's legacy reward-manager interface (``__init__(tokenizer, num_examine, compute_score,
reward_fn_key, **reward_kwargs)``, ``__call__(data, return_dict)`` returning ``reward_tensor`` of shape
``[batch, response_length]``), loaded with ``reward_manager.source=importlib`` and
``reward_model.use_reward_loop=False`` (the reward loop passes one score per sample), and the advantage
estimator registry (``verl.trainer.ppo.core_algos.register_adv_est``). Imported without verl, the module
still works on objects of the same shape; with verl it registers ``token_grpo``.

This file uses absolute imports only, so verl may also load it by file path.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence

from srcode_reward.advantages import group_advantages, masked_sums, token_advantages
from srcode_reward.client import RewardClient
from srcode_reward.completions import Completion
from srcode_reward.rows import as_tensor, pad_rows, shape_of, to_list, to_lists, torch_or_none

#: Where the manager finds the servers when ``reward_kwargs`` names none (comma-separated URLs).
URLS_ENV = "SRCODE_REWARD_URLS"

#: The estimator's name in verl's registry (``algorithm.adv_estimator=token_grpo``).
TOKEN_GRPO = "token_grpo"

#: Overrides for verl's ``main_ppo`` that plug in the manager and the estimator (URLs are examples).
CONFIG_SNIPPET = """\
reward_model.use_reward_loop=False \\
reward_manager.source=importlib \\
reward_manager.name=TokenRewardManager \\
reward_manager.module.path=pkg://srcode_reward.verl \\
+reward_model.reward_kwargs.urls='[http://10.0.0.5:8765,http://10.0.0.6:8765]' \\
+reward_model.reward_kwargs.pair_key=pair_id \\
algorithm.adv_estimator=token_grpo
"""


def _decode(tokenizer: Any, ids: List[int]) -> str:
    try:
        return tokenizer.decode(ids, skip_special_tokens=True)
    except TypeError:
        return tokenizer.decode(ids)


def _pair_id(info: Any, key: str, row: int) -> str:
    if isinstance(info, dict):
        for k in (key, "pairId", "pair_id"):
            if info.get(k) is not None:
                return str(info[k])
    raise ValueError(
        f'row {row}: non_tensor_batch["extra_info"] has no "{key}" (got {type(info).__name__}); '
        "export the dataset with srcode-reward-py export-verl, or set reward_kwargs.pair_key"
    )


class TokenRewardManager:
    """verl reward manager: one security reward per response token, from the reward service.

    For each row it reads the response's token ids (``batch["responses"]``, cut to the valid length
    from ``attention_mask`` or ``response_mask``) and the pair id from
    ``non_tensor_batch["extra_info"][i][pair_key]``, sends the decoded text with its ``tokenIds`` (the
    server's tokenizer places each id in the text, so the rewards align with the policy's tokens), and
    returns ``reward_tensor`` ``[batch, response_length]`` (float32, on the responses' device; lists when
    torch is absent), padding positions zero. A response the server refuses (ids that do not spell
    their text, as when generation stopped inside a character) gets a zero row and counts in
    ``reward_extra_info["reward_errors"]`` instead of stopping the run (``on_invalid="raise"`` raises). ``urls`` (a list or comma-separated string) default to
    ``$SRCODE_REWARD_URLS``; the other keyword arguments configure the :class:`RewardClient`.

    Estimators that sum ``token_level_rewards`` first (GRPO, RLOO, REINFORCE++-baseline, GPG) keep only
    the sum: use ``algorithm.adv_estimator=token_grpo`` (or GAE/PPO) to keep per-token credit.
    """

    def __init__(
        self,
        tokenizer: Any = None,
        num_examine: int = 0,
        compute_score: Any = None,
        reward_fn_key: str = "data_source",
        *,
        urls: Any = None,
        pair_key: str = "pair_id",
        options: Optional[Dict[str, Any]] = None,
        timeout: float = 120.0,
        concurrency: int = 4,
        client: Optional[RewardClient] = None,
        on_invalid: str = "zero",
        **_ignored: Any,
    ) -> None:
        self.tokenizer = tokenizer
        self.num_examine = num_examine
        self.reward_fn_key = reward_fn_key
        self.pair_key = pair_key
        self.options = dict(options) if options else None
        self.on_invalid = on_invalid
        if client is None:
            found = urls if urls is not None else os.environ.get(URLS_ENV, "")
            url_list = [u.strip() for u in found.split(",")] if isinstance(found, str) else [str(u) for u in found]
            url_list = [u for u in url_list if u]
            if not url_list:
                raise ValueError(f"no reward server: pass reward_kwargs.urls or set ${URLS_ENV}")
            client = RewardClient(url_list, timeout=timeout, concurrency=concurrency)
        self.client = client
        self._printed = 0

    def completions(self, data: Any) -> List[Completion]:
        """The completions a batch sends: decoded text, token ids and pair id of each row."""
        if self.tokenizer is None:
            raise ValueError("TokenRewardManager needs the policy's tokenizer to decode the responses")
        batch = data.batch
        responses = to_lists(batch["responses"])
        lengths = valid_lengths(batch)
        infos = to_list(data.non_tensor_batch["extra_info"])
        if len(infos) != len(responses):
            raise ValueError(f'{len(responses)} responses but {len(infos)} extra_info entries')
        out = []
        for i, (ids, n) in enumerate(zip(responses, lengths)):
            ids = ids[:n]
            out.append(Completion(_decode(self.tokenizer, ids), token_ids=ids, pair_id=_pair_id(infos[i], self.pair_key, i), options=self.options))
        return out

    def __call__(self, data: Any, return_dict: bool = False):
        if "rm_scores" in _keys(data.batch):
            scores = data.batch["rm_scores"]
            return {"reward_tensor": scores, "reward_extra_info": {}} if return_dict else scores
        completions = self.completions(data)
        results = self.client.rewards(completions, on_invalid=self.on_invalid)
        length = shape_of(data.batch["responses"])[1]
        lengths = [len(c.token_ids or []) for c in completions]
        rows = pad_rows(results, length, lengths=lengths)
        reward_tensor = as_tensor(rows, like=data.batch["responses"])
        for c, r in list(zip(completions, results))[: max(0, self.num_examine - self._printed)]:
            self._printed += 1
            print(f"[srcode-reward] pair {c.pair_id}: reward {r.total:+.3f}, {len(r.spans)} spans\n{c.text}")
        if not return_dict:
            return reward_tensor
        extra = {
            "security_reward": [r.total for r in results],
            "secure_spans": [sum(1 for s in r.spans if s.get("polarity") == "secure") for r in results],
            "vulnerable_spans": [sum(1 for s in r.spans if s.get("polarity") == "vulnerable") for r in results],
            "reward_errors": [0 if r.error is None else 1 for r in results],
        }
        return {"reward_tensor": reward_tensor, "reward_extra_info": extra}


def _keys(batch: Any) -> Sequence[str]:
    keys = getattr(batch, "keys", None)
    return list(keys()) if callable(keys) else []


def valid_lengths(batch: Any) -> List[int]:
    """Each response's valid length: ``response_mask`` sums, else ``attention_mask`` past the prompt."""
    keys = _keys(batch)
    if "response_mask" in keys:
        return [int(sum(row)) for row in to_lists(batch["response_mask"])]
    responses = shape_of(batch["responses"])
    if "attention_mask" in keys:
        total = shape_of(batch["attention_mask"])[1]
        prompt = shape_of(batch["prompts"])[1] if "prompts" in keys else total - responses[1]
        return [int(sum(row[prompt:])) for row in to_lists(batch["attention_mask"])]
    return [responses[1]] * responses[0]


def compute_token_grpo_advantage(
    token_level_rewards: Any,
    response_mask: Any,
    index: Any = None,
    epsilon: float = 1e-6,
    norm_adv_by_std_in_grpo: bool = True,
    config: Any = None,
    **_kwargs: Any,
):
    """verl advantage estimator ``token_grpo``: GRPO's group advantage plus each token's own reward.

    Returns ``(advantages, returns)``, both ``[batch, response_length]`` (see
    :func:`srcode_reward.advantages.token_advantages`); ``config`` may set ``token_coef`` (default 1)
    and ``norm_adv_by_std_in_grpo``.
    """
    token_coef = 1.0
    if config is not None:
        get = config.get if hasattr(config, "get") else lambda k, d=None: getattr(config, k, d)
        token_coef = float(get("token_coef", 1.0) or 1.0)
        norm_adv_by_std_in_grpo = bool(get("norm_adv_by_std_in_grpo", norm_adv_by_std_in_grpo))
    scores = masked_sums(token_level_rewards, response_mask)
    seq = group_advantages(scores, index, normalize_std=norm_adv_by_std_in_grpo, epsilon=epsilon)
    torch = torch_or_none()
    if torch is not None and isinstance(token_level_rewards, torch.Tensor):
        seq = torch.tensor(seq, dtype=torch.float32, device=token_level_rewards.device)
        with torch.no_grad():
            adv = token_advantages(seq, token_level_rewards, response_mask, token_coef=token_coef)
    else:
        adv = token_advantages(seq, token_level_rewards, response_mask, token_coef=token_coef)
    return adv, adv


def register_token_grpo() -> bool:
    """Registers ``token_grpo`` in verl's estimator registry; False when verl is not importable."""
    try:
        from verl.trainer.ppo import core_algos  # noqa: PLC0415 - verl is optional
    except ImportError:
        return False
    registry = getattr(core_algos, "ADV_ESTIMATOR_REGISTRY", {})
    # loading this file a second time (by path) must not register a second function under the name
    if TOKEN_GRPO not in registry:
        core_algos.register_adv_est(TOKEN_GRPO)(compute_token_grpo_advantage)
    return True


REGISTERED = register_token_grpo()
