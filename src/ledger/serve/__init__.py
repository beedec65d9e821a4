"""`ledger serve`: a local web app over the ledger on disk, to read it and to record claims.

Researchers read statuses, cases, contradictions and each source's archived text with every
quote highlighted (the static site's pages, rendered live), select a passage of a source to
record a claim from it, change a claim's cases and stances, link claims and stamp reviews.
Writes go through the same writers as the CLI. The app binds to 127.0.0.1 unless told
otherwise; see :mod:`ledger.serve.app` for what keeps it safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

    from ledger.root import Layout
    from ledger.serve.app import ServeApp


def make_server(layout: Layout, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """A threaded server for the app over ``layout``, bound (port 0: any free port) and
    ready to ``serve_forever()``; its app accepts requests naming the bound address only."""
    from werkzeug.serving import make_server as werkzeug_server

    from ledger.serve.app import ServeApp
    from ledger.serve.log import PlainLog

    app = ServeApp(layout)
    server = werkzeug_server(host, port, app, threaded=True, request_handler=PlainLog)
    app.bind(host, server.server_port)
    return server


def url_of(server: BaseWSGIServer) -> str:
    host = server.host
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{server.server_port}/"


def app_of(server: BaseWSGIServer) -> ServeApp:
    return server.app  # type: ignore[return-value]


def serve(server: BaseWSGIServer, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted; ``ready`` is told the address first."""
    if ready is not None:
        ready(url_of(server))
    try:
        server.serve_forever()
    finally:
        server.server_close()
