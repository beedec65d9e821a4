"""The app: routing, the safety checks every request passes, and one handler per page.

Safe by default, since a ledger's data is untrusted and the app writes into it:

* each request must name the address the server is bound to in its ``Host`` header (a page
  elsewhere that rebinds its own name to 127.0.0.1 is refused: DNS rebinding); bound to
  every address (``--host 0.0.0.0``), any IP address of it, or the machine's own name;
* every POST carries the process's random token (a hidden form field) and comes from the
  app's own origin (``Origin``, else ``Referer``): 403 otherwise; only a POST writes (a
  HEAD, a GET's twin, carrying a form's body reads like a GET);
* no path reaches outside the ledger: ids in a URL are looked up in the ledger, never joined
  to a folder; assets come from a fixed table;
* every page has the site's Content-Security-Policy (no inline script, nothing from
  elsewhere) as a header too, may not be framed, and is never cached: it is live.

Each request sees the ledger as it is on disk now: one walk of the data folder tells whether
any file changed since the last page was built; if one did, the ledger is loaded again
through the CLI's cached, incremental load, so an edit made in an editor or by the CLI
shows at once, and if none did, the ledger and every index of it are reused. Writes go
through the CLI's writers (:mod:`ledger.authoring.new_records`, :mod:`ledger.analysis.review`):
canonical YAML, atomic, under the ledger's lock, checked before writing, refused (409) when the file
changed since the form was opened. The app never commits.
"""

from __future__ import annotations

import hmac
import ipaddress
import mimetypes
import secrets
import socket
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import (
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from ledger.analysis.review import add_review, reviewer_problem
from ledger.authoring.new_records import (
    Refused,
    Unchanged,
    Written,
    add_relation,
    create_source,
    edit_claim,
)
from ledger.authoring.staleness import Stale
from ledger.authoring.workspace import Workspace
from ledger.authoring.workspace import open_workspace as _open_workspace
from ledger.authoring.writelock import LockFailure
from ledger.publish.site import pages as site_pages
from ledger.publish.site.html import CSP, h, rel
from ledger.publish.site.stamp import Stamp, build_date
from ledger.records.diagnostics import count, unsound
from ledger.records.files import MAX_ARCHIVE_BYTES
from ledger.records.root import Layout
from ledger.safe_text import visible
from ledger.serve import pages
from ledger.serve.assets import ASSETS
from ledger.serve.changes import pending
from ledger.serve.forms import (
    RELATIONS,
    Posted,
    Problem,
    cases_and_stances,
    claim_values,
    derived_locator,
    extracted_upload,
    offset,
    plain,
    quote_problem,
    refusal_problems,
    resolved,
    save_claim,
    source_values,
)

if TYPE_CHECKING:
    from ledger.records.scan import Identity, Scan

NOTHING = "Nothing was written:"
SAFE_METHODS = ("GET", "HEAD")
"""The methods that only read (HEAD is a GET without its body); any other passes the checks
a POST does, and only a POST writes."""

HEADERS = {
    "Content-Security-Policy": f"{CSP}; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

LIVE = "the files on disk as they are now"

Handler = Callable[..., Response]


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` reaches this machine only: ``localhost`` or a loopback address (a
    name such as ``127.evil.example`` is anyone's, whatever it begins with)."""
    address = _address(host)
    return address.is_loopback if address else host.lower() == "localhost"


def is_wildcard(host: str) -> bool:
    """Whether ``host`` (0.0.0.0, ::) listens on every address: no request names it."""
    address = _address(host)
    return bool(address and address.is_unspecified)


def host_names(host: str, port: int) -> set[str]:
    """The ``Host`` header values a request to the bound address may carry (bound to every
    address, the machine's own names too; its addresses are accepted by :meth:`ServeApp.known`)."""
    names = {f"{host}:{port}", f"[{host}]:{port}" if ":" in host else f"{host}:{port}"}
    if is_loopback(host):
        names |= {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    if is_wildcard(host):
        machine = ("localhost", socket.gethostname(), socket.getfqdn())
        names |= {f"{name}:{port}" for name in machine if name}
    if port == 80:  # the default port, which a browser leaves out of Host and Origin
        names |= {n.removesuffix(":80") for n in names}
    return {n.lower() for n in names}


class ServeApp:
    """The WSGI application over one ledger. ``hosts``: the Host values accepted (see
    :func:`host_names`; set once the server's port is known)."""

    def __init__(self, layout: Layout, *, token: str | None = None) -> None:
        self.layout = layout
        self.token = token or secrets.token_urlsafe(32)
        self.hosts: set[str] = set()
        self.any_address_on: int | None = None
        self._built: tuple[str, pages.ServeSite] | None = None
        """The site last built, and the state of the ledger's files it was built from."""
        self._walked: tuple[list[tuple[str, Identity]], bytes, str] | None = None
        """The last settled walk's identities, ledger.toml's bytes, and the state they make:
        while a walk finds exactly those, the state is the same, not worked out again."""
        self._building = threading.Lock()
        self.routes = Map(
            [
                Rule("/", endpoint="index"),
                *(Rule(f"/{name}.html", endpoint=name) for name in _SITE_PAGES),
                Rule("/search.html", endpoint="search"),
                Rule("/queue.html", endpoint="queue"),
                Rule("/changes.html", endpoint="changes"),
                Rule("/requirements/<rid>.html", endpoint="requirement"),
                Rule("/cases/<rid>.html", endpoint="case"),
                Rule("/sources/<rid>.html", endpoint="source"),
                Rule("/sources/<rid>/text.html", endpoint="source_text"),
                Rule("/claims/<rid>.html", endpoint="claim", methods=["GET", "POST"]),
                Rule(f"/{pages.NEW_CLAIM}", endpoint="new_claim", methods=["GET", "POST"]),
                Rule(f"/{pages.NEW_SOURCE}", endpoint="new_source", methods=["GET", "POST"]),
                Rule("/assets/<name>", endpoint="asset"),
            ],
            strict_slashes=False,
        )

    def bind(self, host: str, port: int) -> None:
        self.hosts = host_names(host, port)
        self.any_address_on = port if is_wildcard(host) else None

    def known(self, name: str) -> bool:
        """Whether a ``Host`` value names this server: one of :attr:`hosts`, or, bound to
        every address, any IP address with the port (a page that rebinds a name to this
        machine sends the name, never an address)."""
        name = name.lower()
        if name in self.hosts:
            return True
        address, _, port = name.rpartition(":")
        if self.any_address_on is None or port != str(self.any_address_on):
            return False
        try:
            ipaddress.ip_address(address[1:-1] if address.startswith("[") else address)
        except ValueError:
            return False
        return address.startswith("[") == (":" in address)  # an IPv6 address in brackets

    def from_here(self, url: str, *, page: bool) -> bool:
        """Whether an ``Origin`` (``page`` False) or a ``Referer`` (True) is this app's."""
        scheme, _, rest = url.lower().partition("://")
        netloc, slash, _ = rest.partition("/")
        return scheme == "http" and self.known(netloc) and bool(slash) == page

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = _Request(environ)
        try:
            response = self.respond(request)
        except Exception:  # a defect: the client is told so, the log gets the traceback
            environ["wsgi.errors"].write(visible(traceback.format_exc(), keep_newlines=True))
            response = self.message(
                request,
                500,
                "Something went wrong",
                [Problem("", "the server could not answer this request")],
                lead="What happened (the server\u2019s log says more):",
            )
        response.headers.update(HEADERS)
        return response(environ, start_response)

    # ------------------------------------------------------------------ checks and routing

    def respond(self, request: Request) -> Response:
        if not self.known(request.host):
            return self.message(
                request,
                400,
                "Unexpected address",
                [Problem("Host", f"{request.host!r} is not this server")],
            )
        adapter = self.routes.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return self.not_found(request)
        except MethodNotAllowed:
            return self.message(
                request, 405, "Not allowed", [Problem("", "this page takes no such request")]
            )
        except HTTPException as exc:  # a redirect to the canonical URL
            return exc.get_response(request.environ)  # type: ignore[return-value]
        handler: Handler = getattr(self, f"page_{endpoint}")
        try:
            if request.method not in SAFE_METHODS:
                refused = self.forbidden(request)
                if refused:
                    return self.message(request, 403, "Refused", [refused], lead=NOTHING)
            return handler(request, **args)
        except RequestEntityTooLarge:
            too_big = f"the request is larger than {MAX_ARCHIVE_BYTES // 2**20} MiB"
            return self.message(request, 413, "Too large", [Problem("", too_big)], lead=NOTHING)

    def forbidden(self, request: Request) -> Problem | None:
        """Why a POST is refused: from another origin, or without this process's token."""
        origin = request.headers.get("Origin")
        if origin is not None:
            if not self.from_here(origin, page=False):
                return Problem("Origin", f"a form from {origin!r} may not change this ledger")
        elif not self.from_here(request.headers.get("Referer", ""), page=True):
            return Problem("Origin", "the request does not say it comes from this app")
        token = request.form.get("token", "")
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return Problem(
                "token",
                "the form does not carry this server\u2019s token",
                "the server was restarted since the page was opened: reload it",
            )
        return None

    # ------------------------------------------------------------------ state

    def site(self, request: Request) -> pages.ServeSite | Response:
        """The ledger as it is on disk now (the CLI's cached load, checked: quotes placed),
        with every index the pages read.

        Built again only when a file under the data folder or ledger.toml changed since the
        last build (every file's identity, as the cache tells an unchanged ledger): a page
        of a large ledger then costs one walk of the folder, not a load and its checks."""
        from ledger.records.load import load
        from ledger.records.scan import scan_data, unreadable_data

        stamp = Stamp(build_date(), where=LIVE)
        with self._building:
            scan = None if unreadable_data(self.layout) else scan_data(self.layout)
            state = self._state(scan) if scan else ""
            if state and self._built is not None and self._built[0] == state:
                return self._built[1].for_request(stamp)
            result = load(self.layout, check=True, scan=scan)
            if result.fatal:
                return self.message(
                    request, 500, "The ledger cannot be read", [Problem("", result.fatal)]
                )
            errors = count(result.diagnostics)[0]
            built = pages.ServeSite(
                result.ledger,
                self.layout.root,
                self.token,
                self.layout.about,
                unsound=unsound(result.left_out, errors, result.left_out_paths),
            )
            self._built = (state, built) if state else None
        return built.for_request(stamp)

    def _state(self, scan: Scan) -> str:
        """The ledger's state (:func:`ledger.records.scan.ledger_key`), or "" when a file
        had not settled. A walk that finds every file as the last settled one did, in the
        same order, under the same ledger.toml, has its state: sorting and hashing every
        path again cost a fifth of each page at 10,000 claims."""
        from ledger.records.scan import ledger_key

        try:
            marker = (self.layout.root / "ledger.toml").read_bytes()
        except OSError:
            marker = b""
        walked = self._walked
        if walked is not None and walked[0] == scan.identities and walked[1] == marker:
            return walked[2]
        state = ledger_key(self.layout, scan) if scan.all_settled else ""
        self._walked = (scan.identities, marker, state) if state else None
        return state

    def workspace(self, request: Request) -> Workspace | Response:
        ws = _open_workspace(self.layout)
        if isinstance(ws, str):
            return self.message(request, 500, "The ledger cannot be read", [Problem("", ws)])
        return ws

    def html(self, body: str, status: int = 200) -> Response:
        return Response(body, status=status, content_type="text/html; charset=utf-8")

    def message(
        self,
        request: Request,
        status: int,
        title: str,
        problems: list[Problem],
        *,
        more: str = "",
        lead: str = "",
    ) -> Response:
        """A page saying what went wrong, its links relative to where it is served."""
        page = _page(request)
        return self.html(pages.message_page(None, page, title, problems, more, lead), status)

    def not_found(self, request: Request) -> Response:
        return self.message(request, 404, "Not found", [Problem("", f"no page at {request.path}")])

    # ------------------------------------------------------------------ read pages

    def _read(self, request: Request, render: Callable[[pages.ServeSite], str]) -> Response:
        site = self.site(request)
        return site if isinstance(site, Response) else self.html(render(site))

    def page_index(self, request: Request) -> Response:
        return self._read(request, site_pages.index_page)

    def page_about(self, request: Request) -> Response:
        return self._read(request, site_pages.about_page)

    def page_cases(self, request: Request) -> Response:
        return self._read(request, site_pages.cases_page)

    def page_sources(self, request: Request) -> Response:
        return self._read(request, site_pages.sources_page)

    def page_contradictions(self, request: Request) -> Response:
        return self._read(request, site_pages.contradictions_page)

    def page_search(self, request: Request) -> Response:
        query = request.args.get("q", "")
        return self._read(request, lambda site: pages.search_page(site, query))

    def page_queue(self, request: Request) -> Response:
        return self._read(request, pages.queue_page)

    def page_changes(self, request: Request) -> Response:
        site = self.site(request)
        if isinstance(site, Response):
            return site
        found = pending(self.layout, site.ledger)
        saved = request.args.get("saved")
        return self.html(
            pages.changes_page(site, saved, found.diff, found.status, found.patch, found.new_files)
        )

    def _record(self, request: Request, rid: str, kind: str) -> Response:
        site = self.site(request)
        if isinstance(site, Response):
            return site
        ledger = site.ledger
        if rid not in ledger.tables()[kind]:
            return self.not_found(request)
        if kind == "requirements":
            return self.html(site_pages.requirement_page(site, site.requirement_report(rid)))
        if kind == "cases":
            return self.html(site_pages.case_page(site, site.case_report(rid)))
        if kind == "sources":
            return self.html(site_pages.source_page(site, ledger.sources[rid]))
        return self.html(site_pages.claim_page(site, ledger.claims[rid]))

    def page_requirement(self, request: Request, rid: str) -> Response:
        return self._record(request, rid, "requirements")

    def page_case(self, request: Request, rid: str) -> Response:
        return self._record(request, rid, "cases")

    def page_source(self, request: Request, rid: str) -> Response:
        return self._record(request, rid, "sources")

    def page_claim(self, request: Request, rid: str) -> Response:
        """GET: the claim's page with its forms; POST: one of its forms (``form``)."""
        if request.method != "POST":
            return self._record(request, rid, "claims")
        writers = {"claim": self._edit, "relate": self._relate, "review": self._review}
        form = request.form.get("form", "")
        if form not in writers:
            return self.message(request, 400, "Unknown form", [Problem("form", repr(form))])
        return self._claim_post(request, rid, form, writers[form](rid))

    def page_source_text(self, request: Request, rid: str) -> Response:
        site = self.site(request)
        if isinstance(site, Response):
            return site
        if rid not in site.texts:
            return self.not_found(request)
        return self.html(site_pages.source_text_page(site, site.ledger.sources[rid]))

    def page_asset(self, request: Request, name: str) -> Response:
        text = ASSETS.get(f"assets/{name}")
        if text is None:
            return self.not_found(request)
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(text, content_type=f"{kind}; charset=utf-8")

    # ------------------------------------------------------------------ writes

    def page_new_claim(self, request: Request) -> Response:
        """GET: the form, filled from a selection (``source``, ``quote``, ``at``); POST: the
        claim checked and written, then the changes page."""
        site = self.site(request)
        if isinstance(site, Response):
            return site
        source_id = (request.form if request.method == "POST" else request.args).get("source", "")
        source = site.ledger.sources.get(source_id)
        if source is None or source_id not in site.texts:
            return self.not_found(request)
        ws = self.workspace(request)
        if isinstance(ws, Response):
            return ws
        if request.method != "POST":
            posted = Posted(request.args.to_dict())
            problems: list[Problem] = []
            quote = plain(posted, "quote", problems)
            if quote and (wrong := quote_problem(ws, source_id, quote)):
                problems.append(wrong)
            values: dict[str, object] = {
                "quote": quote,
                "at": posted.get("at"),
                "locator": derived_locator(site.texts[source_id], quote, offset(posted)),
            }
            return self.html(pages.new_claim_page(site, source, values, problems))
        posted = _posted(request)
        shown: dict[str, object] = {**posted.values, "case": posted.all("case")}
        if request.form.get("fingerprint") != site.fingerprint(source_id):
            problem = Problem(
                "",
                f"the source {source_id} changed on disk after this form was opened",
                "check the quote and locator below against it, then save again",
            )
            return self.html(pages.new_claim_page(site, source, shown, [problem]), 409)
        claim, problems = claim_values(ws, posted)
        if problems:
            return self.html(pages.new_claim_page(site, source, shown, problems), 400)
        written = save_claim(ws, claim)
        if isinstance(written, Written):
            return redirect(f"../changes.html?saved={written.id}", 303)
        if isinstance(written, LockFailure):
            return self.message(request, 503, "The ledger is busy", [Problem("", written.message)])
        return self.html(pages.new_claim_page(site, source, shown, refusal_problems(written)), 400)

    def page_new_source(self, request: Request) -> Response:
        """GET: the form; POST: the uploaded document archived and its source written, as
        `ledger new source` does, then the changes page."""
        site = self.site(request)
        if isinstance(site, Response):
            return site
        if request.method != "POST":
            return self.html(pages.new_source_page(site, {}, []))
        ws = self.workspace(request)
        if isinstance(ws, Response):
            return ws
        posted = Posted(request.form.to_dict())
        upload = request.files.get("file")
        name, data = (upload.filename or "", upload.read()) if upload else ("", b"")
        extracted, safe, problems = extracted_upload(name, data)
        shown = dict(posted.values)
        if extracted is None:
            return self.html(pages.new_source_page(site, shown, problems), 400)
        values, problems = source_values(ws, posted, extracted, safe)
        if problems:
            return self.html(pages.new_source_page(site, shown, problems), 400)
        written = create_source(ws, extracted, values)
        if isinstance(written, Written):
            return redirect(f"../changes.html?saved={written.id}", 303)
        if isinstance(written, LockFailure):
            return self.message(request, 503, "The ledger is busy", [Problem("", written.message)])
        return self.html(pages.new_source_page(site, shown, refusal_problems(written)), 400)

    def _claim_post(
        self, request: Request, rid: str, form: str, write: Callable[..., Any]
    ) -> Response:
        """A post from one of a claim's forms: checked, written, or shown again with why."""
        site = self.site(request)
        if isinstance(site, Response):
            return site
        if rid not in site.ledger.claims:
            return self.not_found(request)
        ws = self.workspace(request)
        if isinstance(ws, Response):
            return ws
        posted = _posted(request)
        fingerprint = request.form.get("fingerprint", "")
        problems: list[Problem] = []
        if not fingerprint:
            problems.append(Problem("fingerprint", "the form carries no fingerprint of the file"))
            result: Any = None
        else:
            result = write(site, ws, posted, fingerprint, problems)
        if isinstance(result, Stale):
            return self.stale(request, site, rid, result, posted)
        if isinstance(result, LockFailure):
            return self.message(request, 503, "The ledger is busy", [Problem("", result.message)])
        if isinstance(result, Refused):
            problems += refusal_problems(result)
        elif isinstance(result, str):
            problems.append(Problem("", result))
        if problems:
            site.problems[form] = problems
            site.posted[form] = {**posted.values, "case": posted.all("case")}
            return self.html(site_pages.claim_page(site, site.ledger.claims[rid]), 400)
        if isinstance(result, Unchanged):
            return redirect(f"{rid}.html", 303)
        return redirect(f"../changes.html?saved={rid}", 303)

    def _edit(self, rid: str) -> Callable[..., Any]:
        def write(site: Any, ws: Workspace, posted: Posted, fp: str, problems: list) -> Any:
            cases, stances = cases_and_stances(ws, posted, problems)
            if not cases and not stances:
                problems.append(
                    Problem("case", "a claim needs a case or a requirement", "tick one")
                )
            if problems:
                return None
            return edit_claim(ws, rid, {"cases": cases, "bears_on": stances}, expected=fp)

        return write

    def _relate(self, rid: str) -> Callable[..., Any]:
        def write(site: Any, ws: Workspace, posted: Posted, fp: str, problems: list) -> Any:
            kind = posted.get("relation")
            if kind not in RELATIONS:
                problems.append(Problem("relation", f"choose one of: {', '.join(RELATIONS)}"))
            other = resolved(ws, plain(posted, "other", problems), "claims", "other", problems)
            note = plain(posted, "note", problems) or None
            if problems:
                return None
            return add_relation(ws, rid, kind, other, note, expected=fp)

        return write

    def _review(self, rid: str) -> Callable[..., Any]:
        def write(site: Any, ws: Workspace, posted: Posted, fp: str, problems: list) -> Any:
            by = plain(posted, "by", problems, required=True)
            if problems:
                return None
            wrong = reviewer_problem(by)
            if wrong:
                problems.append(Problem("by", wrong.replace("--by ", "")))
                return None
            return add_review(self.layout, site.ledger, rid, by, expected=fp)

        return write

    def stale(
        self, request: Request, site: pages.ServeSite, rid: str, stale: Stale, posted: Posted
    ) -> Response:
        """409: the file changed since the form opened; nothing written, a reload offered."""
        page = _page(request)
        kept = "".join(
            f"<li><code>{h(k)}</code>: {h(v)}</li>"
            for k, v in posted.values.items()
            if k not in ("token", "fingerprint") and v
        )
        more = (
            f'<p><a class="button" id="reload" href="{h(rel(page, f"claims/{rid}.html"))}">'
            "Reload the claim as it is now</a> and make the change again.</p>"
            + (f"<p>What this form asked for:</p><ul>{kept}</ul>" if kept else "")
        )
        problem = Problem(
            stale.path, stale.message, "another change was saved meanwhile; reload to see it"
        )
        return self.html(pages.message_page(site, page, "The file changed", [problem], more), 409)


_SITE_PAGES = ("index", "about", "cases", "sources", "contradictions")


class _Request(Request):
    """A request no larger than the largest archive a source may have (an upload)."""

    max_content_length = MAX_ARCHIVE_BYTES + 2**20
    max_form_memory_size = 2**20


def _page(request: Request) -> str:
    """The site path of the page served at the request's URL (links are made from it)."""
    return request.path.lstrip("/") or "index.html"


def _posted(request: Request) -> Posted:
    return Posted(request.form.to_dict(), {"case": request.form.getlist("case")})
