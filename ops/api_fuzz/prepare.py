"""Prepares the API fuzz run on a freshly seeded example server that holds two tenants.

Run once, against the template data folder, before any role is fuzzed:

1. plants what the demo data lacks in both tenants (a webhook to a closed loopback port, a
   share link, an invitation), and canary names in the second tenant (its clients, projects,
   milestones, deliverables and people are renamed to strings that appear nowhere else);
2. reads everything both tenants hold, as their owners, and works out for every role what it
   must never see: every id of the other tenant and its canaries; for staff without
   `access_all_clients` and for contacts, every id and name of the client they do not reach
   (Globex); for contacts, the internal objects of their own client;
3. creates an API key for the integration role (a key of the owner with every permission);
4. writes roles.json: who signs in how, the ids each role must not act on (its own account,
   membership, role and key: a run must not lock itself out), the markers, and the pools of
   real ids (both tenants) that the hooks draw path and query parameters from.

Usage: prepare.py BASE_URL OUT_FILE (BASE_URL like http://127.0.0.1:18091).
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

PASSWORD = "northwind-demo-portal"
HOME = "northwind"
FOREIGN = "southwind"
OWNER = "maya@northwind.example"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Who is fuzzed: (role name, email or None, what the role is). The demo people are seeded by
# the example server (examples/branded-server/src/seed/people.rs).
ROLES: list[dict[str, Any]] = [
    {"role": "anonymous", "email": None, "kind": "anonymous"},
    {"role": "owner", "email": "maya@northwind.example", "kind": "staff_all"},
    {"role": "admin", "email": "tom@northwind.example", "kind": "staff_all"},
    {"role": "manager", "email": "priya@northwind.example", "kind": "staff_all"},
    # A member reaches only the clients assigned to it: Acme.
    {"role": "member", "email": "leo@northwind.example", "kind": "staff_assigned"},
    {"role": "client-admin", "email": "sarah@acme.example", "kind": "contact"},
    {"role": "approver", "email": "james@acme.example", "kind": "contact"},
    {"role": "finance", "email": "olivia@acme.example", "kind": "contact"},
    {"role": "viewer", "email": "ben@acme.example", "kind": "contact"},
    {"role": "api-key", "email": OWNER, "kind": "api_key"},
]


class PrepareError(Exception):
    """The server did not answer as the preparation needs."""


@dataclass
class Session:
    """A signed-in person of one tenant."""

    base: str
    tenant: str
    http: requests.Session = field(default_factory=requests.Session)

    def url(self, path: str) -> str:
        return f"{self.base}/{self.tenant}/api/v1{path}"

    def login(self, email: str) -> None:
        answer = self.http.post(
            self.url("/auth/login"), json={"email": email, "password": PASSWORD}, timeout=30
        )
        if answer.status_code != 200 or answer.json().get("status") != "signed_in":
            raise PrepareError(
                f"login of {email} at {self.tenant}: {answer.status_code} {answer.text}"
            )

    def get(self, path: str) -> Any:
        answer = self.http.get(self.url(path), timeout=30)
        if answer.status_code != 200:
            raise PrepareError(
                f"GET {path} at {self.tenant}: {answer.status_code} {answer.text[:300]}"
            )
        return answer.json()

    def send(self, method: str, path: str, body: Any) -> Any:
        answer = self.http.request(method, self.url(path), json=body, timeout=30)
        if answer.status_code not in (200, 201):
            raise PrepareError(
                f"{method} {path} at {self.tenant}: {answer.status_code} {answer.text[:300]}"
            )
        return answer.json()

    def items(self, path: str) -> list[dict[str, Any]]:
        """Every item of a list, following the cursor."""
        found: list[dict[str, Any]] = []
        cursor = None
        separator = "&" if "?" in path else "?"
        for _ in range(100):
            page = self.get(f"{path}{separator}limit=200" + (f"&cursor={cursor}" if cursor else ""))
            found.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return found
        raise PrepareError(f"{path}: more than 100 pages")


@dataclass
class Crawl:
    """Everything one owner reads of a tenant, kept by kind."""

    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Every JSON answer read, for the ids that are in it anywhere.
    answers: list[Any] = field(default_factory=list)

    def add(self, kind: str, items: list[dict[str, Any]]) -> None:
        self.objects.setdefault(kind, []).extend(items)
        self.answers.append(items)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.objects.get(kind, [])


# Which ids a path or query parameter takes, by the kinds of the crawl: the fuzzer draws real ids
# of both tenants (and of every client) from these pools besides random ones, so requests reach
# real objects, and those a role must not see.
POOLS = {
    "approval_id": ["approvals"],
    "client_id": ["clients"],
    "client": ["clients"],
    "decision_id": ["decisions"],
    "deliverable_id": ["deliverables"],
    "delivery_id": ["deliveries"],
    "document_id": ["documents"],
    "invitation_id": ["invitations"],
    "invoice_id": ["invoices"],
    "key_id": ["api_keys"],
    "link_id": ["share_links"],
    "membership_id": ["memberships"],
    "milestone_id": ["milestones"],
    "project_id": ["projects"],
    "request_id": ["requests"],
    "role_id": ["roles"],
    "subject_id": ["projects", "deliverables", "documents", "approvals", "requests", "tasks"],
    "task_id": ["tasks"],
    "update_id": ["updates"],
    "user_id": ["users"],
    "version_id": ["versions"],
    "webhook_id": ["webhooks"],
}

# Where the webhooks planted here point: a closed port on loopback (see hooks.py).
SAFE_WEBHOOK_URL = "http://127.0.0.1:9/api-fuzz"

THREAD_KINDS = {
    "projects": "project",
    "deliverables": "deliverable",
    "documents": "document",
    "approvals": "approval",
    "requests": "request",
    "tasks": "task",
}


def crawl(session: Session) -> Crawl:
    """Reads every list of the tenant, and the children of every project, as its owner."""
    seen = Crawl()
    for kind, path in [
        ("clients", "/clients"),
        ("users", "/users"),
        ("memberships", "/memberships"),
        ("invitations", "/invitations"),
        ("projects", "/projects"),
        ("documents", "/documents"),
        ("approvals", "/approvals"),
        ("requests", "/requests"),
        ("invoices", "/invoices"),
        ("share_links", "/share-links"),
        ("webhooks", "/webhooks"),
        ("api_keys", "/api-keys"),
        ("notifications", "/notifications"),
    ]:
        seen.add(kind, session.items(path))
    seen.add("roles", session.get("/roles"))
    seen.answers.append(session.get("/dashboard"))
    seen.answers.append(session.get("/me"))
    for project in seen.of("projects"):
        pid = project["id"]
        for kind in ("milestones", "updates", "decisions", "tasks", "documents"):
            items = session.items(f"/projects/{pid}/{kind}")
            for item in items:
                item.setdefault("project_id", pid)
            seen.add(kind, items)
    for milestone in seen.of("milestones"):
        items = session.items(f"/milestones/{milestone['id']}/deliverables")
        for item in items:
            item.setdefault("milestone_id", milestone["id"])
        seen.add("deliverables", items)
    for document in seen.of("documents"):
        versions = session.items(f"/documents/{document['id']}/versions")
        seen.add("versions", versions)
    for request in seen.of("requests"):
        messages = session.items(f"/requests/{request['id']}/messages")
        for message in messages:
            message["subject_id"] = request["id"]
        seen.add("messages", messages)
    for webhook in seen.of("webhooks"):
        deliveries = session.items(f"/webhooks/{webhook['id']}/deliveries")
        seen.add("deliveries", deliveries)
    for kind, thread in THREAD_KINDS.items():
        if kind == "requests":
            continue
        for subject in list(seen.of(kind)):
            messages = session.items(f"/threads/{thread}/{subject['id']}/messages")
            for message in messages:
                message["subject_id"] = subject["id"]
            seen.add("messages", messages)
    return seen


def uuids_in(value: Any, into: set[str]) -> set[str]:
    """Every UUID-shaped string anywhere in a JSON value."""
    if isinstance(value, dict):
        for item in value.values():
            uuids_in(item, into)
    elif isinstance(value, list):
        for item in value:
            uuids_in(item, into)
    elif isinstance(value, str) and UUID_RE.match(value):
        into.add(value)
    return into


def plant_canaries(session: Session, seen: Crawl) -> list[str]:
    """Renames what the other tenant's people and work are called to strings found nowhere else."""
    tag = uuid.uuid4().hex[:8]
    canaries: list[str] = []

    def canary(what: str, number: int) -> str:
        text = f"Canary{tag} {what} {number}"
        canaries.append(text)
        return text

    for number, client in enumerate(seen.of("clients")):
        session.send("PATCH", f"/clients/{client['id']}", {"name": canary("client", number)})
    for number, project in enumerate(seen.of("projects")):
        session.send("PATCH", f"/projects/{project['id']}", {"name": canary("project", number)})
    for number, milestone in enumerate(seen.of("milestones")):
        session.send(
            "PATCH", f"/milestones/{milestone['id']}", {"title": canary("milestone", number)}
        )
    for number, deliverable in enumerate(seen.of("deliverables")):
        session.send(
            "PATCH", f"/deliverables/{deliverable['id']}", {"title": canary("deliverable", number)}
        )
    for number, user in enumerate(seen.of("users")):
        session.send("PUT", f"/users/{user['id']}/name", {"name": canary("person", number)})
    return canaries


def plant_extras(session: Session, seen: Crawl) -> None:
    """Adds what the demo data lacks, so that every route has an object to act on: a webhook,
    a share link and an invitation to a client."""
    session.send("POST", "/webhooks", {"url": SAFE_WEBHOOK_URL, "description": "api fuzz"})
    project = seen.of("projects")[0]
    session.send("POST", "/share-links", {"project_id": project["id"]})
    client = seen.of("clients")[0]
    role = next(r for r in seen.of("roles") if r.get("builtin") == "viewer")
    session.send(
        "POST",
        "/invitations",
        {
            "email": f"invited-{uuid.uuid4().hex[:8]}@example.com",
            "client_id": client["id"],
            "role_id": role["id"],
        },
    )


def pools(*crawls: Crawl) -> dict[str, list[str]]:
    """The real ids each id parameter may take, of every crawl given."""
    found: dict[str, list[str]] = {}
    for name, kinds in POOLS.items():
        ids: list[str] = []
        for seen in crawls:
            for kind in kinds:
                ids.extend(item["id"] for item in seen.of(kind) if isinstance(item.get("id"), str))
        found[name] = sorted(set(ids))
    return found


def client_of(
    item: dict[str, Any], projects: dict[str, str], milestones: dict[str, str]
) -> str | None:
    """The client an object belongs to, if the crawl can tell."""
    # Most views name their parents `client_id` and `project_id`; documents say `client` and
    # `project`.
    for key in ("client_id", "client"):
        if isinstance(item.get(key), str):
            return item[key]
    for key in ("project_id", "project"):
        if item.get(key) in projects:
            return projects[item[key]]
    if item.get("milestone_id") in milestones:
        return milestones[item["milestone_id"]]
    return None


def home_markers(seen: Crawl, acme: str, globex: str) -> dict[str, list[dict[str, str]]]:
    """Per client, the ids and names of its objects; for Acme, its internal objects too."""
    projects = {p["id"]: p["client_id"] for p in seen.of("projects")}
    milestones = {m["id"]: projects.get(m.get("project_id", ""), "") for m in seen.of("milestones")}
    parents = {**projects}
    for kind in ("milestones", "deliverables", "documents", "approvals", "requests", "tasks"):
        for item in seen.of(kind):
            owner = client_of(item, projects, milestones)
            if owner:
                parents[item["id"]] = owner
    by_client: dict[str, list[dict[str, str]]] = {acme: [], globex: [], "internal": []}
    names_of: dict[str, set[str]] = {acme: set(), globex: set()}
    for kind, items in seen.objects.items():
        for item in items:
            owner = client_of(item, projects, milestones) or parents.get(item.get("subject_id", ""))
            if kind == "versions":
                owner = parents.get(item.get("document", ""))
            if kind == "clients":
                owner = item["id"]
            if owner not in (acme, globex):
                continue
            if "id" in item:
                by_client[owner].append(
                    {"value": item["id"], "why": f"{kind[:-1]} id of another client"}
                )
            for key in ("name", "title", "file_name"):
                if isinstance(item.get(key), str):
                    names_of[owner].add(item[key])
            if owner == acme and item.get("visibility") == "internal" and "id" in item:
                by_client["internal"].append({"value": item["id"], "why": f"internal {kind[:-1]}"})
    # The contacts of one client: their user ids, names and emails.
    for membership in seen.of("memberships"):
        owner = membership.get("client_id")
        if owner in (acme, globex):
            by_client[owner].append(
                {"value": membership["id"], "why": "membership of another client"}
            )
            by_client[owner].append(
                {"value": membership["user_id"], "why": "contact of another client"}
            )
            user = membership.get("user") or {}
            for key in ("name", "email"):
                if user.get(key):
                    names_of[owner].add(user[key])
    # A name is a marker only where it tells the client apart: long enough, and not also the
    # name of something of the other client (both may have a "Kick-off" milestone).
    for owner, other in ((acme, globex), (globex, acme)):
        for text in sorted(names_of[owner] - names_of[other]):
            if len(text) >= 6:
                by_client[owner].append({"value": text, "why": "name of another client's object"})
    return by_client


def own_ids(
    session: Session, email: str, memberships: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """What a role must not act on: its own account, memberships and role."""
    me = session.get("/me")
    mine = [m for m in memberships if m["user_id"] == me["id"]]
    return {
        "user": [me["id"]],
        "membership": [m["id"] for m in mine],
        "role": [m["role_id"] for m in mine],
        "email": [email],
    }


def main() -> int:
    base, out = sys.argv[1], sys.argv[2]

    foreign = Session(base, FOREIGN)
    foreign.login(OWNER)
    foreign_seen = crawl(foreign)
    plant_extras(foreign, foreign_seen)
    canaries = plant_canaries(foreign, crawl(foreign))
    foreign_seen = crawl(foreign)

    home = Session(base, HOME)
    home.login(OWNER)
    plant_extras(home, crawl(home))
    home_seen = crawl(home)
    event_types = sorted(p["event_type"] for p in home.get("/me/mail-preferences"))
    clients = {c["name"]: c["id"] for c in home_seen.of("clients")}
    acme, globex = clients.get("Acme Corp"), clients.get("Globex")
    if not acme or not globex:
        raise PrepareError(f"the demo clients are missing: {sorted(clients)}")

    # Every id of the other tenant, less any id that also shows in this one (none should: a
    # shared id would be no marker).
    home_ids = set()
    for answer in home_seen.answers:
        uuids_in(answer, home_ids)
    foreign_ids = set()
    for answer in foreign_seen.answers:
        uuids_in(answer, foreign_ids)
    shared = foreign_ids & home_ids
    tenant_markers = [
        {"value": v, "why": "id of the other tenant"} for v in sorted(foreign_ids - home_ids)
    ]
    tenant_markers += [{"value": c, "why": "canary name of the other tenant"} for c in canaries]
    tenant_markers.append({"value": "Southwind Works", "why": "the other tenant's brand name"})
    by_client = home_markers(home_seen, acme, globex)

    # The integration's key: the owner's, with every staff permission the owner holds.
    permissions = home.get("/me")["permissions"]
    key = home.send("POST", "/api-keys", {"name": "api fuzz", "permissions": permissions})
    secret = key.get("secret") or key.get("key") or key.get("token")
    if not secret:
        raise PrepareError(f"the new API key's answer has no secret: {sorted(key)}")
    key_id = key.get("id") or (key.get("key") or {}).get("id")

    memberships = home_seen.of("memberships")
    roles = []
    for spec in ROLES:
        role = dict(spec)
        markers = list(tenant_markers)
        if spec["kind"] in ("staff_assigned", "contact", "anonymous"):
            markers += by_client[globex]
        if spec["kind"] == "contact":
            markers += by_client["internal"]
        if spec["kind"] == "anonymous":
            markers += by_client[acme]
        role["markers"] = markers
        if spec["email"]:
            person = Session(base, HOME)
            person.login(spec["email"])
            role["own"] = own_ids(person, spec["email"], memberships)
        else:
            role["own"] = {}
        if spec["kind"] == "api_key":
            role["api_key"] = secret
            role["own"]["api_key"] = [key_id] if key_id else []
        roles.append(role)

    document = {
        "tenant": HOME,
        "password": PASSWORD,
        "shared_ids_ignored": sorted(shared),
        "pools": {**pools(home_seen, foreign_seen), "event_type": event_types},
        "version_pairs": [
            [version["document"], version["id"]]
            for seen in (home_seen, foreign_seen)
            for version in seen.of("versions")
        ],
        "roles": roles,
    }
    with open(out, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=1)
    for role in roles:
        print(f"  {role['role']:<13} {len(role['markers']):>4} markers it must never see")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (PrepareError, requests.RequestException, KeyError, ValueError) as error:
        print(f"api-fuzz prepare: {error}", file=sys.stderr)
        sys.exit(1)
