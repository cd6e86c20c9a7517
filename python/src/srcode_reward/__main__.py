"""``python -m srcode_reward``: the ``srcode-reward-py`` command."""

import sys

from srcode_reward.cli import main

sys.exit(main())
