"""`ledger serve`: a local web app over the ledger on disk, to read it and to record claims.

Researchers read statuses, cases, contradictions and each source's archived text with every
quote highlighted (the static site's pages, rendered live), select a passage of a source to
record a claim from it, change a claim's cases and stances, link claims and stamp reviews.
Writes go through the same writers as the CLI. The app binds to 127.0.0.1 unless told
otherwise; see :mod:`ledger.serve.app` for what keeps it safe.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

    from ledger.records.root import Layout
    from ledger.serve.app import ServeApp


def make_server(layout: Layout, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """A threaded server for the app over ``layout``, bound (port 0: any free port) and
    ready to ``serve_forever()``; its app accepts requests naming the bound address only.
    A port taken or an address that cannot be bound raises ``OSError``."""
    from werkzeug.serving import make_server as werkzeug_server

    from ledger.serve.app import ServeApp
    from ledger.serve.log import PlainLog

    app = ServeApp(layout)
    listening = _listen(host, port)
    try:
        server = werkzeug_server(
            host, port, app, threaded=True, request_handler=PlainLog, fd=listening.fileno()
        )
    finally:
        listening.close()  # the server holds a duplicate of it
    app.bind(host, server.port)
    return server


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening. Bound here, not by werkzeug, which
    prints a failure to bind and exits the process instead of raising it."""
    from werkzeug.serving import LISTEN_QUEUE, get_sockaddr, select_address_family

    family = select_address_family(host, port)
    listening = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name != "nt":  # elsewhere it would let a second server share the port
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(get_sockaddr(host, port, family))
        listening.listen(LISTEN_QUEUE)
    except BaseException:
        listening.close()
        raise
    return listening


def url_of(server: BaseWSGIServer) -> str:
    host = server.host
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{server.port}/"


def app_of(server: BaseWSGIServer) -> ServeApp:
    return server.app  # type: ignore[return-value]


def serve(server: BaseWSGIServer, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C returns); ``ready`` is told the address first."""
    if ready is not None:
        ready(url_of(server))
    try:
        server.serve_forever()
    finally:
        server.server_close()
