"""Token-level security rewards from ``srcode-reward serve`` for Python trainers.

The core (this module) uses the standard library only: :class:`RewardClient` talks to one or more
servers; the adapters ``srcode_reward.verl``, ``srcode_reward.trl`` and ``srcode_reward.openrlhf``
import their trainers lazily and use torch when it is installed.
"""

from srcode_reward._version import __version__
from srcode_reward.advantages import group_advantages, token_advantages
from srcode_reward.client import RewardClient
from srcode_reward.completions import Completion, RewardResult
from srcode_reward.errors import RewardServiceError
from srcode_reward.limits import ServerLimits
from srcode_reward.offsets import codepoint_to_utf16, ranges_from_utf16, ranges_to_utf16, utf16_length, utf16_to_codepoint
from srcode_reward.retry import Retry
from srcode_reward.rows import pad_rows

__all__ = [
    "__version__",
    "Completion",
    "RewardClient",
    "RewardResult",
    "RewardServiceError",
    "Retry",
    "ServerLimits",
    "codepoint_to_utf16",
    "group_advantages",
    "pad_rows",
    "ranges_from_utf16",
    "ranges_to_utf16",
    "token_advantages",
    "utf16_length",
    "utf16_to_codepoint",
]
