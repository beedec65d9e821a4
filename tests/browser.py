"""Chromium driven headless over the DevTools protocol through a pipe, with nothing but the
standard library: the browser tests' driver (the site's and `ledger serve`'s).

Set LEDGER_CHROMIUM to use another binary, LEDGER_SCREENSHOTS to a folder to keep the
screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any


def find_chromium() -> str | None:
    given = os.environ.get("LEDGER_CHROMIUM")
    if given:
        return given
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = find_chromium()
MISSING = (
    "no Chromium found (install it with `apt-get install chromium`, or set LEDGER_CHROMIUM); "
    "the browser tests need a real browser"
)

FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-pipe",
)

HANG_GUARD = 60.0
"""Seconds a protocol answer may take before the browser is taken to hang (no budget)."""


class BrowserError(RuntimeError):
    pass


class Browser:
    """Chromium over ``--remote-debugging-pipe``: JSON messages ending in NUL on fds 3 and 4."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our messages, fd 4 writes its own
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=wire,
            pass_fds=(to_browser_r, from_browser_w, 3, 4),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.out, self.inp = to_browser_w, from_browser_r
        self.buffer = b""
        self.last_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._next()
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(index)
        while True:
            event = self._next()
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            self.events.append(event)

    def _next(self) -> dict[str, Any]:
        deadline = time.monotonic() + HANG_GUARD
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.inp], [], [], max(left, 0))
            if not ready:
                raise BrowserError("the browser stopped answering")
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise BrowserError("the browser closed the pipe (did it start?)")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)  # type: ignore[no-any-return]

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=HANG_GUARD)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.out)
        os.close(self.inp)


class Tab:
    """One page: navigate, collect what went wrong, evaluate, take screenshots."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.call(domain)

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.browser.call(method, params, self.session)

    def open(self, url: str) -> list[str]:
        """Load a page; the problems it reported (console errors, exceptions, failed loads,
        policy violations, dialogs)."""
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        reply = self.call("Page.navigate", {"url": url})
        if reply.get("errorText"):
            return [f"navigation failed: {reply['errorText']}"]
        self.browser.wait_for("Page.loadEventFired", self.session)
        self.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
        return self.problems()

    def problems(self) -> list[str]:
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                thrown = details.get("exception", {}).get("description", "")
                found.append(f"exception: {details.get('text')} {thrown}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                found.append(f"log: {entry.get('text')} ({entry.get('url', '')})")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
                self.call("Page.handleJavaScriptDialog", {"accept": True})
        return found

    def evaluate(self, expression: str) -> Any:
        reply = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def viewport(self, width: int, height: int, *, mobile: bool) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    def screenshot(self, path: Path, *, whole: bool = True) -> Path:
        """The page (``whole``) or what the screen shows of it, as a PNG."""
        data = self.call(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": whole}
        )
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def click(self, selector: str) -> None:
        """Click the first element ``selector`` finds, and wait for the page it opens."""
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        self.browser.wait_for("Page.loadEventFired", self.session)
        self.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")


def screenshots() -> Path:
    """Where screenshots are kept: $LEDGER_SCREENSHOTS (docs/screenshots/ holds those
    committed for people to look at), else a folder thrown away."""
    import tempfile

    folder = Path(os.environ.get("LEDGER_SCREENSHOTS") or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    return folder
