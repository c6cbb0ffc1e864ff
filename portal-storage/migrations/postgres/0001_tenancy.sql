-- Tenancy, access and audit: tenants, their domains, roles, users, clients, memberships, staff
-- assignments, sessions, login throttling, the hash-chained audit log and the outbox.
--
-- Every tenant-owned child refers to its parent by (tenant_id, x_id), so no row can point into
-- another tenant. Row-level security is a second wall behind the typed scope: the application
-- runs as portal_app, which owns nothing, is no superuser and lacks BYPASSRLS, and sees only the
-- rows of the tenant set in its transaction (portal.tenant_id), or every row in the few global
-- methods (portal.global = on). A connection with neither set sees no rows.

-- The role is cluster-wide: create it once, tolerating a concurrent migration of another database.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_app') THEN
        BEGIN
            CREATE ROLE portal_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    -- The store's connections switch to portal_app with SET LOCAL ROLE, which needs the SET
    -- option on PostgreSQL 16 and later (a CREATEROLE creator holds only ADMIN by default).
    IF current_setting('server_version_num')::int >= 160000 THEN
        IF NOT pg_has_role(current_user, 'portal_app', 'SET') THEN
            GRANT portal_app TO CURRENT_USER;
        END IF;
    ELSIF NOT pg_has_role(current_user, 'portal_app', 'MEMBER') THEN
        GRANT portal_app TO CURRENT_USER;
    END IF;
END
$$;

CREATE FUNCTION portal_row_visible(t uuid) RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT t = nullif(current_setting('portal.tenant_id', true), '')::uuid
        OR coalesce(current_setting('portal.global', true), '') = 'on'
$$;

CREATE TABLE portal_tenant (
    tenant_id            uuid        NOT NULL PRIMARY KEY,
    slug                 text        NOT NULL UNIQUE,
    branding             text        NOT NULL,
    require_mfa_staff    boolean     NOT NULL DEFAULT false,
    require_mfa_contacts boolean     NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL
);

-- Custom domains: globally unique, stored lower-case.
CREATE TABLE portal_tenant_domain (
    host      text NOT NULL PRIMARY KEY CHECK (host = lower(host) AND host <> ''),
    tenant_id uuid NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE
);
CREATE INDEX portal_tenant_domain_tenant ON portal_tenant_domain (tenant_id, host);

-- Roles: permissions are a JSON list of permission names (never bits, which would tie stored
-- data to the enum's order).
CREATE TABLE portal_role (
    role_id     uuid        NOT NULL PRIMARY KEY,
    tenant_id   uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    name        text        NOT NULL,
    side        text        NOT NULL CHECK (side IN ('staff', 'client')),
    builtin     text        NULL CHECK (builtin IN ('owner', 'admin', 'manager', 'member',
                                                    'client_admin', 'approver', 'finance', 'viewer')),
    permissions text        NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, role_id),
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, builtin)
);

CREATE TABLE portal_user (
    user_id       uuid        NOT NULL PRIMARY KEY,
    tenant_id     uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    email         text        NOT NULL,
    name          text        NOT NULL,
    side          text        NOT NULL CHECK (side IN ('staff', 'client')),
    disabled      boolean     NOT NULL DEFAULT false,
    locale        text        NULL,
    password_hash text        NULL,
    last_login_at timestamptz NULL,
    created_at    timestamptz NOT NULL,
    UNIQUE (tenant_id, user_id),
    UNIQUE (tenant_id, email)
);
CREATE INDEX portal_user_side ON portal_user (tenant_id, side, user_id);

CREATE TABLE portal_client (
    client_id   uuid        NOT NULL PRIMARY KEY,
    tenant_id   uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    name        text        NOT NULL,
    external_id text        NULL CHECK (external_id <> ''),
    branding    text        NULL,
    archived    boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, client_id),
    UNIQUE (tenant_id, external_id)
);

-- A staff membership has no client; a contact's names its client.
CREATE TABLE portal_membership (
    membership_id uuid        NOT NULL PRIMARY KEY,
    tenant_id     uuid        NOT NULL,
    user_id       uuid        NOT NULL,
    role_id       uuid        NOT NULL,
    client_id     uuid        NULL,
    created_at    timestamptz NOT NULL,
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
    tenant_id     uuid NOT NULL,
    membership_id uuid NOT NULL,
    client_id     uuid NOT NULL,
    PRIMARY KEY (tenant_id, membership_id, client_id),
    FOREIGN KEY (tenant_id, membership_id)
        REFERENCES portal_membership (tenant_id, membership_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id) ON DELETE CASCADE
);
CREATE INDEX portal_staff_assignment_client ON portal_staff_assignment (tenant_id, client_id);

-- Sessions: only the SHA-256 of the token is stored.
CREATE TABLE portal_session (
    token_hash       bytea       NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    tenant_id        uuid        NOT NULL,
    user_id          uuid        NOT NULL,
    created_at       timestamptz NOT NULL,
    authenticated_at timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    ip               text        NULL,
    user_agent       text        NULL,
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX portal_session_user ON portal_session (tenant_id, user_id);
CREATE INDEX portal_session_expires ON portal_session (expires_at);
CREATE INDEX portal_session_last_seen ON portal_session (last_seen_at);

-- Login-throttle counters, keyed by account or address; global (throttling precedes the tenant),
-- so it is the one table without row-level security.
CREATE TABLE portal_throttle (
    throttle_key      text        NOT NULL PRIMARY KEY,
    failures          integer     NOT NULL CHECK (failures >= 0),
    window_started_at timestamptz NOT NULL,
    blocked_until     timestamptz NULL
);

-- The append-only, hash-chained audit log; seq numbers each tenant's chain from 1.
CREATE TABLE portal_audit_event (
    audit_event_id uuid        NOT NULL PRIMARY KEY,
    tenant_id      uuid        NOT NULL REFERENCES portal_tenant (tenant_id),
    seq            bigint      NOT NULL CHECK (seq >= 1),
    occurred_at    timestamptz NOT NULL,
    actor          text        NOT NULL,
    action         text        NOT NULL,
    object_kind    text        NULL,
    object_id      uuid        NULL,
    outcome        text        NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    ip             text        NULL,
    details        text        NOT NULL,
    prev_hash      bytea       NOT NULL CHECK (length(prev_hash) = 32),
    hash           bytea       NOT NULL CHECK (length(hash) = 32),
    UNIQUE (tenant_id, seq)
);
CREATE INDEX portal_audit_event_list ON portal_audit_event (tenant_id, audit_event_id);
CREATE INDEX portal_audit_event_action ON portal_audit_event (tenant_id, action, audit_event_id);

-- The last event of each tenant's chain: appends lock this row, so the chain never forks.
CREATE TABLE portal_audit_head (
    tenant_id uuid   NOT NULL PRIMARY KEY REFERENCES portal_tenant (tenant_id),
    seq       bigint NOT NULL CHECK (seq >= 0),
    hash      bytea  NOT NULL CHECK (length(hash) = 32)
);

-- The transactional outbox.
CREATE TABLE portal_outbox_event (
    outbox_event_id uuid        NOT NULL PRIMARY KEY,
    tenant_id       uuid        NOT NULL REFERENCES portal_tenant (tenant_id),
    kind            text        NOT NULL,
    payload         text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error      text        NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX portal_outbox_event_due ON portal_outbox_event (status, next_attempt_at);
CREATE INDEX portal_outbox_event_list ON portal_outbox_event (tenant_id, outbox_event_id);

-- Row-level security on every tenant table: one policy for reads and writes alike.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY[
        'portal_tenant', 'portal_tenant_domain', 'portal_role', 'portal_user', 'portal_client',
        'portal_membership', 'portal_staff_assignment', 'portal_session', 'portal_audit_event',
        'portal_audit_head', 'portal_outbox_event'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tbl);
        EXECUTE format(
            'CREATE POLICY %I ON %I USING (portal_row_visible(tenant_id)) '
            'WITH CHECK (portal_row_visible(tenant_id))',
            tbl || '_tenant', tbl
        );
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA public TO portal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    portal_tenant, portal_tenant_domain, portal_role, portal_user, portal_client,
    portal_membership, portal_staff_assignment, portal_session, portal_throttle,
    portal_audit_head, portal_outbox_event
TO portal_app;
-- The audit log is append-only in the database itself.
GRANT SELECT, INSERT ON portal_audit_event TO portal_app;
