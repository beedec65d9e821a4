"""The secret key that seals what the cache stores, kept where no commit can reach it.

A cache file inside a ledger may come from anywhere: a pull request can commit one, a copied
folder brings one along. So every row the cache stores is sealed with a keyed digest under a
key that lives outside every ledger, in the user's own cache folder (``$LEDGER_CACHE_HOME``,
else ``$XDG_CACHE_HOME/ledger``, else ``~/.cache/ledger``; a relative path in either variable
is ignored, as the XDG spec says). The key is made on first use from the operating system's
random source, in a file only its owner may read. A row that a commit planted, or that was
altered since this tool wrote it, fails its seal and is not used: what the cache gives back is
only what this tool worked out on this machine.

A key is only as secret as its folder, so a key a commit could have brought is refused, and
nothing is cached (``key_refusal`` says why): one whose folder, resolved, lies inside the
ledger or inside a git work tree that holds the ledger (found by the ``.git`` entries of the
ledger's folder and its parents: no git process on the warm path), one reached through a
symbolic link, one not owned by the user, and one with a second hard link. A key git tracks
lies inside a work tree, so it is among them (a key tracked by some other repository is that
repository's secret to keep).

The seal is keyed BLAKE2b (a MAC by design, in the standard library, and faster than HMAC on
the many small rows a large ledger stores).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import stat
from pathlib import Path
from typing import NamedTuple

KEY_ENV = "LEDGER_CACHE_HOME"
"""Where the key is kept, when set (default: $XDG_CACHE_HOME/ledger or ~/.cache/ledger)."""

KEY_FILE = "cache-key"
KEY_BYTES = 32
SEAL_BYTES = 16

NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
"""Open flags that refuse a link where a file should be."""


class Sealer:
    """Seals text under the machine's key, and checks seals."""

    def __init__(self, key: bytes) -> None:
        self._base = hashlib.blake2b(key=key, digest_size=SEAL_BYTES)

    def seal(self, text: str) -> bytes:
        digest = self._base.copy()
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.digest()

    def holds(self, text: str, seal: object) -> bool:
        """Whether ``seal`` is this machine's seal of ``text``."""
        return isinstance(seal, bytes) and hmac.compare_digest(self.seal(text), seal)

    def seal_parts(self, parts: tuple[str, ...]) -> bytes:
        """The seal of the text ``parts`` make when joined, without joining them: a large
        text is not copied once more to be sealed."""
        digest = self._base.copy()
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass"))
        return digest.digest()

    def holds_parts(self, parts: tuple[str, ...], seal: object) -> bool:
        """Whether ``seal`` is this machine's seal of the text ``parts`` make."""
        return isinstance(seal, bytes) and hmac.compare_digest(self.seal_parts(parts), seal)


def key_folder() -> Path | None:
    """The folder the key lives in, or None when there is no home to put it in. A relative
    path is ignored (it would name a folder in whatever the current folder is, a checkout
    perhaps)."""
    given = os.environ.get(KEY_ENV)
    if given and os.path.isabs(given):
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "ledger"
    try:
        return Path.home() / ".cache" / "ledger"
    except RuntimeError:
        return None


class KeyRefusal(NamedTuple):
    """Why the key may not be used: a commit could have put it where it is."""

    path: Path
    why: str


def machine_sealer(ledger: Path | None = None) -> Sealer | None:
    """A sealer under this machine's key (made if there is none yet); None when no private
    key can be had or the key is refused, in which case the cache is not used at all."""
    found = ledger_sealer(ledger)
    return found if isinstance(found, Sealer) else None


def ledger_sealer(ledger: Path | None = None) -> Sealer | KeyRefusal | None:
    """A sealer for the cache of the ledger at ``ledger``; why the key is refused; or None
    when there is no home for a key, or no key can be made there."""
    folder = key_folder()
    if folder is None:
        return None
    path = folder / KEY_FILE
    why = _misplaced(folder, ledger)
    if why is None:
        key = _key_in(str(folder))
        if not isinstance(key, str):
            return None if key is None else Sealer(key)
        why = key
    return KeyRefusal(path, why)


def _misplaced(folder: Path, ledger: Path | None) -> str | None:
    """Why the key's folder is one a commit could reach, or None. Costs a realpath and an
    lstat per parent of the ledger, never a git process."""
    wanted = os.path.normpath(os.path.abspath(folder))
    real = os.path.realpath(wanted)
    if real != wanted:
        return "a symbolic link is on the path to its folder"
    if ledger is None:
        return None
    top = os.path.realpath(ledger)
    if _within(real, top):
        return "it lies inside the ledger, where a commit can put a file"
    while True:
        if os.path.lexists(os.path.join(top, ".git")) and _within(real, top):
            return "it lies inside the git work tree that holds the ledger"
        parent = os.path.dirname(top)
        if parent == top:
            return None
        top = parent


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


@functools.cache
def _key_in(folder: str) -> bytes | str | None:
    """The key kept in ``folder``, made there if it is missing or unfit (not a private
    regular file, or of the wrong size); why it is refused when it is not the user's own or
    has a second name (neither is replaced: the folder is not to be trusted); None when no
    key can be made. Read once per process."""
    path = os.path.join(folder, KEY_FILE)
    key = _read_key(path)
    if key is not None:
        return key
    import tempfile  # here: the key is made once, and read on every other run

    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".key-", dir=folder)  # mode 0600
        try:
            os.write(handle, os.urandom(KEY_BYTES))
            os.fsync(handle)
        finally:
            os.close(handle)
        try:
            os.link(temporary, path)  # the first process to make a key wins; others read it
        except OSError:
            if _read_key(path) is None:  # refused keys are left alone
                os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    except OSError:
        return None
    return _read_key(path)


def _read_key(path: str) -> bytes | str | None:
    """The key in ``path`` if it is a regular file (not a link), readable by nobody else, and
    exactly KEY_BYTES long; None when it is not (it is made again); why it is refused when it
    is owned by another user or has another name (a hard link made elsewhere)."""
    try:
        handle = os.open(path, os.O_RDONLY | NO_FOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
            return None
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return "it is owned by another user"
        if info.st_nlink != 1:
            return "it has another name (a hard link)"
        key = os.read(handle, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(handle)
    return key if len(key) == KEY_BYTES else None
