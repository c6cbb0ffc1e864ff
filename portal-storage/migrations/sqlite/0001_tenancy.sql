-- Tenancy, access and audit: tenants, their domains, roles, users, clients, memberships, staff
-- assignments, sessions, login throttling, the hash-chained audit log and the outbox.
--
-- Conventions (shared with 0002): UUIDs are 16-byte BLOBs, timestamps are sqlx's TEXT encoding of
-- OffsetDateTime, always written in UTC so text order is time order; booleans are 0/1; JSON is
-- TEXT; hashes are 32-byte BLOBs. Every tenant-owned child refers to its parent by
-- (tenant_id, x_id), so no row can point into another tenant.

CREATE TABLE portal_tenant (
    tenant_id            BLOB    NOT NULL PRIMARY KEY,
    slug                 TEXT    NOT NULL UNIQUE,
    branding             TEXT    NOT NULL,
    require_mfa_staff    INTEGER NOT NULL DEFAULT 0 CHECK (require_mfa_staff IN (0, 1)),
    require_mfa_contacts INTEGER NOT NULL DEFAULT 0 CHECK (require_mfa_contacts IN (0, 1)),
    created_at           TEXT    NOT NULL
);

-- Custom domains: globally unique, stored lower-case.
CREATE TABLE portal_tenant_domain (
    host      TEXT NOT NULL PRIMARY KEY CHECK (host = lower(host) AND host <> ''),
    tenant_id BLOB NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE
);
CREATE INDEX portal_tenant_domain_tenant ON portal_tenant_domain (tenant_id, host);

-- Roles: permissions are a JSON list of permission names (never bits, which would tie stored
-- data to the enum's order).
CREATE TABLE portal_role (
    role_id     BLOB NOT NULL PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    side        TEXT NOT NULL CHECK (side IN ('staff', 'client')),
    builtin     TEXT NULL CHECK (builtin IN ('owner', 'admin', 'manager', 'member',
                                             'client_admin', 'approver', 'finance', 'viewer')),
    permissions TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, role_id),
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, builtin)
);

CREATE TABLE portal_user (
    user_id       BLOB    NOT NULL PRIMARY KEY,
    tenant_id     BLOB    NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    email         TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    side          TEXT    NOT NULL CHECK (side IN ('staff', 'client')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    locale        TEXT    NULL,
    password_hash TEXT    NULL,
    last_login_at TEXT    NULL,
    created_at    TEXT    NOT NULL,
    UNIQUE (tenant_id, user_id),
    UNIQUE (tenant_id, email)
);
CREATE INDEX portal_user_side ON portal_user (tenant_id, side, user_id);

CREATE TABLE portal_client (
    client_id   BLOB    NOT NULL PRIMARY KEY,
    tenant_id   BLOB    NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    external_id TEXT    NULL CHECK (external_id <> ''),
    branding    TEXT    NULL,
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at  TEXT    NOT NULL,
    UNIQUE (tenant_id, client_id),
    UNIQUE (tenant_id, external_id)
);

-- A staff membership has no client; a contact's names its client.
CREATE TABLE portal_membership (
    membership_id BLOB NOT NULL PRIMARY KEY,
    tenant_id     BLOB NOT NULL,
    user_id       BLOB NOT NULL,
    role_id       BLOB NOT NULL,
    client_id     BLOB NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (tenant_id, membership_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_role (tenant_id, role_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id) ON DELETE CASCADE
);
-- At most one staff membership per user, and one membership per user and client.
CREATE UNIQUE INDEX portal_membership_staff ON portal_membership (tenant_id, user_id)
    WHERE client_id IS NULL;
CREATE UNIQUE INDEX portal_membership_contact ON portal_membership (tenant_id, user_id, client_id)
    WHERE client_id IS NOT NULL;
CREATE INDEX portal_membership_role ON portal_membership (tenant_id, role_id);
CREATE INDEX portal_membership_client ON portal_membership (tenant_id, client_id, membership_id);

-- The clients a member of staff works on (staff without access to all clients).
CREATE TABLE portal_staff_assignment (
    tenant_id     BLOB NOT NULL,
    membership_id BLOB NOT NULL,
    client_id     BLOB NOT NULL,
    PRIMARY KEY (tenant_id, membership_id, client_id),
    FOREIGN KEY (tenant_id, membership_id)
        REFERENCES portal_membership (tenant_id, membership_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id) ON DELETE CASCADE
);
CREATE INDEX portal_staff_assignment_client ON portal_staff_assignment (tenant_id, client_id);

-- Sessions: only the SHA-256 of the token is stored.
CREATE TABLE portal_session (
    token_hash       BLOB NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    tenant_id        BLOB NOT NULL,
    user_id          BLOB NOT NULL,
    created_at       TEXT NOT NULL,
    authenticated_at TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    ip               TEXT NULL,
    user_agent       TEXT NULL,
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX portal_session_user ON portal_session (tenant_id, user_id);
CREATE INDEX portal_session_expires ON portal_session (expires_at);
CREATE INDEX portal_session_last_seen ON portal_session (last_seen_at);

-- Login-throttle counters, keyed by account or address; global (throttling precedes the tenant).
CREATE TABLE portal_throttle (
    throttle_key      TEXT    NOT NULL PRIMARY KEY,
    failures          INTEGER NOT NULL CHECK (failures >= 0),
    window_started_at TEXT    NOT NULL,
    blocked_until     TEXT    NULL
);

-- The append-only, hash-chained audit log; seq numbers each tenant's chain from 1.
CREATE TABLE portal_audit_event (
    audit_event_id BLOB    NOT NULL PRIMARY KEY,
    tenant_id      BLOB    NOT NULL REFERENCES portal_tenant (tenant_id),
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    occurred_at    TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    object_kind    TEXT    NULL,
    object_id      BLOB    NULL,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    ip             TEXT    NULL,
    details        TEXT    NOT NULL,
    prev_hash      BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    hash           BLOB    NOT NULL CHECK (length(hash) = 32),
    UNIQUE (tenant_id, seq)
);
CREATE INDEX portal_audit_event_list ON portal_audit_event (tenant_id, audit_event_id);
CREATE INDEX portal_audit_event_action ON portal_audit_event (tenant_id, action, audit_event_id);

-- The last event of each tenant's chain: appends lock this row, so the chain never forks.
CREATE TABLE portal_audit_head (
    tenant_id BLOB    NOT NULL PRIMARY KEY REFERENCES portal_tenant (tenant_id),
    seq       INTEGER NOT NULL CHECK (seq >= 0),
    hash      BLOB    NOT NULL CHECK (length(hash) = 32)
);

-- The transactional outbox.
CREATE TABLE portal_outbox_event (
    outbox_event_id BLOB    NOT NULL PRIMARY KEY,
    tenant_id       BLOB    NOT NULL REFERENCES portal_tenant (tenant_id),
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT    NULL,
    created_at      TEXT    NOT NULL
);
CREATE INDEX portal_outbox_event_due ON portal_outbox_event (status, next_attempt_at);
CREATE INDEX portal_outbox_event_list ON portal_outbox_event (tenant_id, outbox_event_id);
