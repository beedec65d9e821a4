"""Walking a large record folder in two processes.

Every command walks the data folder first, to know whether anything changed: at 100,000
claims that is 116,000 ``lstat`` calls and most of a warm command's time. Threads do not
help (the work between the calls holds the interpreter's lock), but a second process does:
the folders of a kind (a claims folder per source) are dealt in turn between this process
and a child forked for the walk alone, which sends back what it found as plain data.

The walk is the same either way, and so is its order: the folders' results are put back in
the order the folders were listed. The second process is used only where forking is safe
and cheap: on Linux, in a process with no other thread (``ledger serve`` answers requests
in threads, and a fork there could leave the child holding a lock forever), for at least
:data:`SPLIT_FROM` folders. Whatever goes wrong with the child (it cannot be forked, dies,
sends something short), this process walks its folders itself.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sys
import threading

from ledger.records.scan import Unit, Walked, walk_unit

SPLIT_FROM = 32
"""Folders of one kind from which their walk is shared with a second process: a ledger of
10,000 claims has 64 source folders, and its walk takes a third less time shared."""


def walk_units(units: list[Unit], kind: str) -> list[Walked]:
    """Each folder walked, in the order given."""
    if not _splittable(len(units)):
        return [walk_unit(unit, kind) for unit in units]
    theirs = units[1::2]
    child = _fork(theirs, kind)
    mine = [walk_unit(unit, kind) for unit in units[0::2]]
    sent = _received(child, len(theirs)) if child is not None else None
    if sent is None:
        sent = [walk_unit(unit, kind) for unit in theirs]
    walked: list[Walked] = [Walked()] * len(units)
    walked[0::2], walked[1::2] = mine, sent
    return walked


def _splittable(count: int) -> bool:
    return (
        count >= SPLIT_FROM
        and sys.platform == "linux"
        and hasattr(os, "fork")
        and threading.active_count() == 1
    )


def _fork(units: list[Unit], kind: str) -> tuple[int, int] | None:
    """A child walking ``units``: its pid, and the end of the pipe it writes to."""
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid:
        os.close(writer)
        return pid, reader
    try:  # the child: walk, send, and end without running anything of the parent's
        gc.disable()  # no collection: no finalizer of the parent's garbage runs here
        os.close(reader)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it without a word
        parent, found = os.getppid(), []
        for unit in units:
            if os.getppid() != parent:
                break  # the parent is gone: nobody will read this
            found.append(walk_unit(unit, kind).plain())
        else:
            with os.fdopen(writer, "wb") as out:
                out.write(marshal.dumps(found))
    finally:
        os._exit(0)


def _received(child: tuple[int, int], count: int) -> list[Walked] | None:
    """What the child found, once it has ended; None when it sent no whole answer."""
    pid, reader = child
    try:
        with os.fdopen(reader, "rb") as source:
            data = source.read()
    except OSError:
        data = b""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    try:
        sent = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(sent, list) or len(sent) != count:
        return None
    return [Walked(list(i), list(f), list(s), bool(u)) for i, f, s, u in sent]
