"""The server's request log: one plain line a request on stderr, data made visible.

A request line is whatever a client sent, control characters included; werkzeug's own log
colours it for a terminal and would pass them on. Here each line goes through
:func:`ledger.safe_text.visible`, as every other piece of untrusted text does.
"""

from __future__ import annotations

import sys
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from ledger.safe_text import visible


class PlainLog(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log("info", "%s %s", getattr(self, "requestline", ""), code)

    def log(self, type: str, message: str, *args: Any) -> None:
        line = message % args if args else message
        sys.stderr.write(f"{self.address_string()} {visible(line)}\n")
