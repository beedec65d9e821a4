"""`ledger serve`: the local web app over the ledger (:mod:`ledger.serve`), started."""

from __future__ import annotations

import contextlib
import errno
import sys
from typing import Annotated

import typer

from ledger.cli.shared import RootOption, app, fail, layout_of


@app.command()
def serve(
    ctx: typer.Context,
    port: Annotated[
        int,
        typer.Option(
            "--port", metavar="PORT", min=0, max=65535, help="The port (0: any free one)."
        ),
    ] = 8000,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="The address to listen on. Anything but loopback (127.0.0.1, localhost, ::1) "
            "needs --allow-remote.",
        ),
    ] = "127.0.0.1",
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Listen on an address other machines reach. Anyone who reaches it can read "
            "and change the ledger: each page carries the token its forms need.",
        ),
    ] = False,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the app in the default web browser.")
    ] = False,
    root: RootOption = None,
) -> None:
    """A local web app over the ledger on disk: read statuses, cases, contradictions and each
    source's archived text with every quote highlighted; select a passage to record a claim;
    change a claim's cases and stances, link claims, stamp reviews. Each page shows the files
    as they are now; writes are the CLI's (checked, atomic, under the ledger's lock) and
    nothing is committed: the Changes page shows `ledger diff` and `git diff` of the data.

    The two-minute path: run `ledger serve --open` in the ledger's folder; open Sources, a
    source, then "the archived text"; select the words of a claim; follow "Record a claim
    from the selection"; pick its kind, cases and stances; save. Ctrl-C stops the server.
    """
    from ledger.serve import make_server, serve
    from ledger.serve.app import is_loopback

    if not is_loopback(host) and not allow_remote:
        fail(f"--host {host} is not a loopback address: add --allow-remote to listen there")
    layout = layout_of(ctx, root)
    try:
        server = make_server(layout, host, port)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}; {_listen_hint(exc)}")
    if not is_loopback(host):
        sys.stderr.write(
            f"ledger: warning: listening on {host}: anyone who reaches this address can read "
            "and change the ledger\n"
        )

    def ready(url: str) -> None:
        sys.stderr.write(f"ledger serve: {url} (the ledger in {layout.root}; Ctrl-C stops)\n")
        if open_browser:
            import webbrowser

            if not webbrowser.open(url):
                sys.stderr.write("ledger serve: no web browser found; open the address in one\n")

    with contextlib.suppress(KeyboardInterrupt):  # werkzeug's loop takes most Ctrl-Cs itself
        serve(server, ready)
    sys.stderr.write("ledger serve: stopped\n")


def _listen_hint(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "another program holds that port: pick another with --port (0: any free one)"
    if exc.errno == errno.EACCES:
        return "this user may not use that port: pick one above 1023 with --port"
    return "name an address of this machine with --host"
