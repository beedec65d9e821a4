"""The secret key that seals what the cache stores, kept where no commit can reach it.

A cache file inside a ledger may come from anywhere: a pull request can commit one, a copied
folder brings one along. So every row the cache stores is sealed with a keyed digest under a
key that lives outside every ledger, in the user's own cache folder (``$LEDGER_CACHE_HOME``,
else ``$XDG_CACHE_HOME/ledger``, else ``~/.cache/ledger``). The key is made on first use from
the operating system's random source, in a file only its owner may read. A row that a commit
planted, or that was altered since this tool wrote it, fails its seal and is not used: what
the cache gives back is only what this tool worked out on this machine.

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


def key_folder() -> Path | None:
    """The folder the key lives in, or None when there is no home to put it in."""
    given = os.environ.get(KEY_ENV)
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "ledger"
    try:
        return Path.home() / ".cache" / "ledger"
    except RuntimeError:
        return None


def machine_sealer() -> Sealer | None:
    """A sealer under this machine's key (made if there is none yet); None when no private
    key can be had, in which case the cache is not used at all."""
    folder = key_folder()
    if folder is None:
        return None
    key = _key_in(str(folder))
    return None if key is None else Sealer(key)


@functools.cache
def _key_in(folder: str) -> bytes | None:
    """The key kept in ``folder``, made there if it is missing or unfit (not a private
    regular file of ours, or of the wrong size). Read once per process."""
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
            if _read_key(path) is None:
                os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    except OSError:
        return None
    return _read_key(path)


def _read_key(path: str) -> bytes | None:
    """The key in ``path`` if it is a regular file (not a link), owned by this user, readable
    by nobody else, and exactly KEY_BYTES long."""
    try:
        handle = os.open(path, os.O_RDONLY | NO_FOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        mine = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or not mine:
            return None
        key = os.read(handle, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(handle)
    return key if len(key) == KEY_BYTES else None
