"""Schemathesis hooks of the API fuzz run: who the requests come from, what they must not touch,
and the check that no answer carries data the role must never see.

Loaded with SCHEMATHESIS_HOOKS=hooks (PYTHONPATH=ops/api_fuzz) and configured by environment:

- APIFUZZ_ROLES: the roles.json that prepare.py wrote;
- APIFUZZ_ROLE: the role of this run (one of its `role` names);
- APIFUZZ_BASE: the tenant's base, e.g. http://127.0.0.1:18092/northwind;
- APIFUZZ_STATS: where to write this run's counts when it ends (JSON).

A session role signs in through the API with its password and sends the session cookie, as a
browser does (the API needs no CSRF token beyond JSON and no cross-site Origin, which a
non-browser client never sends). The integration role sends `Authorization: Bearer ptk_…`. When
a session ends anyway, the next request signs in again and the run counts it.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import uuid
from collections import Counter
from typing import Any

import requests
import schemathesis
from hypothesis import strategies as st

ROLES_FILE = os.environ["APIFUZZ_ROLES"]
ROLE_NAME = os.environ["APIFUZZ_ROLE"]
BASE = os.environ["APIFUZZ_BASE"].rstrip("/")
STATS_FILE = os.environ.get("APIFUZZ_STATS")

with open(ROLES_FILE, encoding="utf-8") as _file:
    _DOCUMENT = json.load(_file)
ROLE: dict[str, Any] = next(r for r in _DOCUMENT["roles"] if r["role"] == ROLE_NAME)
PASSWORD: str = _DOCUMENT["password"]
MARKERS: list[tuple[str, bytes, str]] = [
    (m["value"], m["value"].encode(), m["why"]) for m in ROLE["markers"]
]

# Real ids by parameter name (of both tenants, every client, internal objects included), and
# (document, version) pairs of both tenants.
POOLS: dict[str, list[str]] = {k: v for k, v in _DOCUMENT.get("pools", {}).items() if v}
VERSION_PAIRS: list[list[str]] = _DOCUMENT.get("version_pairs", [])
# The ids among the markers: an act on one of these must never succeed.
FOREIGN_IDS: dict[str, str] = {
    value: why for value, _, why in MARKERS if len(value) == 36 and value.count("-") == 4
}

_lock = threading.Lock()
_stats: dict[str, Any] = {
    "logins": 0,
    "session_lost": 0,
    "spared_own": 0,
    "statuses": Counter(),
    "operations": Counter(),
    "leaks": 0,
}


class SessionLost(Exception):
    """The role could not sign in again."""


class _Login:
    """The role's session cookie, signed in once and again only when the server ends it."""

    def __init__(self) -> None:
        self.cookie: str | None = None
        self.session_ids: set[str] = set()

    def current(self) -> str:
        with _lock:
            if self.cookie is None:
                self.cookie = self._login()
            return self.cookie

    def lost(self, cookie: str) -> None:
        with _lock:
            if self.cookie == cookie:
                self.cookie = None
                _stats["session_lost"] += 1

    def _login(self) -> str:
        http = requests.Session()
        answer = http.post(
            f"{BASE}/api/v1/auth/login",
            json={"email": ROLE["email"], "password": PASSWORD},
            timeout=30,
        )
        if answer.status_code != 200 or not http.cookies:
            raise SessionLost(
                f"{ROLE['email']} cannot sign in: {answer.status_code} {answer.text[:200]}"
            )
        _stats["logins"] += 1
        cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
        # The session's own id, so the run never revokes the session it runs on.
        sessions = http.get(f"{BASE}/api/v1/me/sessions", timeout=30)
        if sessions.status_code == 200:
            for item in sessions.json():
                if item.get("current"):
                    self.session_ids.add(item["id"])
        return cookie


LOGIN = _Login()


def _own_ids() -> set[str]:
    own = ROLE.get("own", {})
    ids = set()
    for kind in ("user", "membership", "role", "api_key"):
        ids.update(own.get(kind, []))
    return ids | LOGIN.session_ids


if ROLE["kind"] == "api_key":

    @schemathesis.auth(refresh_interval=None, retry_on=[])
    class ApiKeyAuth:
        """The integration: the owner's API key as a bearer token."""

        def get(self, case, context):  # noqa: ANN001, ANN201
            return ROLE["api_key"]

        def set(self, case, data, context):  # noqa: ANN001, ANN201
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"

elif ROLE["kind"] != "anonymous":

    @schemathesis.auth(refresh_interval=None, retry_on=[])
    class SessionAuth:
        """A person: the session cookie of a password login."""

        def get(self, case, context):  # noqa: ANN001, ANN201
            return LOGIN.current()

        def set(self, case, data, context):  # noqa: ANN001, ANN201
            case.headers = case.headers or {}
            case.headers["Cookie"] = data


def _parameter_names(operation: Any, location: str) -> list[str]:
    parameters = getattr(operation, f"{location}_parameters", None) or []
    return [name for name in (getattr(p, "name", None) for p in parameters) if name]


def _with_real_ids(strategy: Any, names: list[str]) -> Any:
    """The generated values, or the same with every id parameter set to a real id."""
    usable = {name: POOLS[name] for name in names if name in POOLS}
    pairs = "document_id" in names and "version_id" in names and VERSION_PAIRS
    if not usable:
        return strategy
    real = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in usable.items()})
    if pairs:
        real = st.one_of(
            real,
            st.sampled_from(VERSION_PAIRS).map(
                lambda pair: {"document_id": pair[0], "version_id": pair[1]}
            ),
        )

    def fill(values: Any) -> Any:
        # A negative case (schemathesis wraps it) breaks the schema on purpose: left alone.
        if values is not None and not isinstance(values, dict):
            return st.just(values)
        return real.map(lambda ids: {**(values or {}), **ids})

    return st.one_of(strategy, strategy.flatmap(fill))


# A resumable upload's part (tus `PATCH /uploads/{id}`) is raw bytes, as an ordinary upload's
# `application/octet-stream` body is; the tool has no serializer of its own for the type.
schemathesis.openapi.media_type("application/offset+octet-stream", st.binary(max_size=4096))


@schemathesis.hook
def before_generate_path_parameters(context, strategy):  # noqa: ANN001, ANN201
    """Ids in paths are real ones half the time: objects the role may reach, and objects it
    must not (another tenant's, another client's, internal ones), which must answer 404."""
    return _with_real_ids(strategy, _parameter_names(context.operation, "path"))


@schemathesis.hook
def before_generate_query(context, strategy):  # noqa: ANN001, ANN201
    """Id filters in query strings (`client_id`, `project_id`…) are real ones half the time."""
    return _with_real_ids(strategy, _parameter_names(context.operation, "query"))


def _spare_own(case: Any) -> None:
    """Keeps the run from locking itself out: a write naming the role's own account,
    membership, role, API key or session (disabling oneself, dropping one's own membership or
    revoking the session in use would end every later request) is sent for a random id instead,
    and answers 404; a password change never carries the real password (random input never
    has it; this says so). The case is changed, not dropped: a filter that drops the ids the
    tool learnt from answers would fail its health check."""
    if case.method.upper() != "GET" and case.path_parameters:
        own = _own_ids()
        for name, value in list(case.path_parameters.items()):
            if str(value) in own:
                case.path_parameters[name] = str(uuid.uuid4())
                with _lock:
                    _stats["spared_own"] += 1
    if isinstance(case.body, dict) and case.body.get("current_password") == PASSWORD:
        case.body = {**case.body, "current_password": f"not {PASSWORD}"}


# Where every webhook this run registers points: a closed port on this machine. The server runs
# with --allow-local-webhooks, so the address is accepted and each delivery attempt ends at
# once, on loopback; no generated address ever receives a request.
SAFE_WEBHOOK_URL = "http://127.0.0.1:9/api-fuzz"
_URL_NOISE = dict.fromkeys(range(0x21), None)  # what URL parsers drop: C0 controls and spaces


def _could_be_delivered(url: Any) -> bool:
    """Whether the server might read this text as an http(s) address: anything that still says
    `http` once the characters URL parsers drop are gone. Other text is refused (422) and may
    stay as generated."""
    if not isinstance(url, str):
        return False
    return "http" in url.translate(_URL_NOISE).lower()


def _safe_webhook_body(body: Any) -> Any:
    """The body with a webhook address that could be delivered to replaced by SAFE_WEBHOOK_URL."""
    parsed = body
    if isinstance(body, (bytes, str)):
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return body
    if isinstance(parsed, dict) and _could_be_delivered(parsed.get("url")):
        return {**parsed, "url": SAFE_WEBHOOK_URL}
    return body


@schemathesis.hook
def before_call(context, case, kwargs) -> None:  # noqa: ANN001
    """No request of this run acts on the role's own account, and none makes the server call
    out: webhook addresses go to loopback."""
    _spare_own(case)
    if "/webhooks" in case.operation.path and case.method.upper() in ("POST", "PATCH", "PUT"):
        case.body = _safe_webhook_body(case.body)


@schemathesis.hook
def after_call(context, case, response) -> None:  # noqa: ANN001
    """Counts answers; a session that the server ended is signed in again on the next request."""
    with _lock:
        _stats["statuses"][str(response.status_code)] += 1
        _stats["operations"][f"{case.method.upper()} {case.operation.path}"] += 1
    if response.status_code == 401 and ROLE["kind"] not in ("anonymous", "api_key"):
        cookie = (case.headers or {}).get("Cookie")
        try:
            code = response.json().get("error", {}).get("code")
        except (ValueError, AttributeError):
            code = None
        if cookie and code == "unauthenticated":
            LOGIN.lost(cookie)


def _request_text(case) -> bytes:  # noqa: ANN001
    """What the request itself said: a marker the fuzzer sent and the server echoed is no leak."""
    parts: list[Any] = [case.path_parameters, case.query, case.body]
    try:
        return json.dumps(parts, default=str).encode()
    except (TypeError, ValueError):
        return repr(parts).encode()


@schemathesis.check
def no_foreign_data(ctx, response, case) -> bool | None:  # noqa: ANN001
    """No answer — body or headers, errors included — carries an id or a name of another tenant,
    of a client the role does not reach, or (for contacts) of an internal object; and no act on
    such an object by its id in the path succeeds (it must answer like a missing one, SEC-26).
    A marker the request itself carried in its query or body may come back in an error."""
    if 200 <= response.status_code < 300:
        for value in (case.path_parameters or {}).values():
            why = FOREIGN_IDS.get(str(value))
            if why:
                with _lock:
                    _stats["leaks"] += 1
                raise AssertionError(
                    f"{ROLE['role']} acted on {why} ({value}) and was answered "
                    f"{response.status_code}, not 404"
                )
    content = response.content or b""
    headers = "\n".join(
        f"{name}: {value}"
        for name, values in response.headers.items()
        for value in (values if isinstance(values, list) else [values])
    )
    haystack = content + b"\n" + headers.encode("utf-8", "replace")
    sent = None
    for value, needle, why in MARKERS:
        if needle in haystack:
            if sent is None:
                sent = _request_text(case)
            if needle in sent:
                continue
            with _lock:
                _stats["leaks"] += 1
            raise AssertionError(f"the answer to {ROLE['role']} contains {why}: {value!r}")
    return None


def _write_stats() -> None:
    if not STATS_FILE:
        return
    with _lock:
        data = dict(_stats)
        data["statuses"] = dict(_stats["statuses"])
        data["operations"] = dict(_stats["operations"])
    with open(STATS_FILE, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=1, sort_keys=True)


atexit.register(_write_stats)
