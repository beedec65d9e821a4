"""`python -m ledger.pr_comment COMMENT_FILE`: the command every pull-request workflow runs
(those `ledger init` wrote before the poster moved to ledger.git.pr_comment too), kept."""

from __future__ import annotations

import sys

from ledger.git.pr_comment import main

if __name__ == "__main__":
    sys.exit(main())
