-- Invitations and API keys. Only the SHA-256 of an invitation's token and of a key's secret is
-- stored. Row-level security as in 0001: one policy per table admits only the transaction's
-- tenant, or every row in the global methods (pending and accepted invitations, key lookup by
-- prefix and its use), which run with portal.global = on.

-- An invitation to join as a contact of client_id, or as staff (client_id NULL). A re-send
-- revokes the open invitation it replaces, so at most one per email and client (or the staff)
-- is open — neither accepted nor revoked — at a time. The invitations of a deleted role go with it.
CREATE TABLE portal_invitation (
    invitation_id uuid        NOT NULL PRIMARY KEY,
    tenant_id     uuid        NOT NULL,
    email         text        NOT NULL,
    client_id     uuid        NULL,
    role_id       uuid        NOT NULL,
    token_hash    bytea       NOT NULL CHECK (length(token_hash) = 32),
    invited_by    uuid        NULL,
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz NULL,
    revoked_at    timestamptz NULL,
    created_at    timestamptz NOT NULL,
    CHECK (accepted_at IS NULL OR revoked_at IS NULL),
    CONSTRAINT portal_invitation_token_hash UNIQUE (token_hash),
    UNIQUE (tenant_id, invitation_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_role (tenant_id, role_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, invited_by) REFERENCES portal_user (tenant_id, user_id)
);
CREATE UNIQUE INDEX portal_invitation_open_staff ON portal_invitation (tenant_id, email)
    WHERE client_id IS NULL AND accepted_at IS NULL AND revoked_at IS NULL;
CREATE UNIQUE INDEX portal_invitation_open_contact ON portal_invitation (tenant_id, email, client_id)
    WHERE client_id IS NOT NULL AND accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX portal_invitation_client ON portal_invitation (tenant_id, client_id, invitation_id);
CREATE INDEX portal_invitation_role ON portal_invitation (tenant_id, role_id);

-- An API key: a visible prefix, unique across all tenants, and the hash of its secret.
-- Permissions are a JSON list of permission names, as on roles.
CREATE TABLE portal_api_key (
    api_key_id   uuid        NOT NULL PRIMARY KEY,
    tenant_id    uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    name         text        NOT NULL,
    prefix       text        NOT NULL CHECK (prefix <> ''),
    secret_hash  bytea       NOT NULL CHECK (length(secret_hash) = 32),
    permissions  text        NOT NULL,
    created_by   uuid        NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NULL,
    revoked_at   timestamptz NULL,
    CONSTRAINT portal_api_key_prefix UNIQUE (prefix),
    CONSTRAINT portal_api_key_secret_hash UNIQUE (secret_hash),
    UNIQUE (tenant_id, api_key_id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES portal_user (tenant_id, user_id)
);

-- Row-level security on every table: one policy for reads and writes alike.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['portal_invitation', 'portal_api_key'] LOOP
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

GRANT SELECT, INSERT, UPDATE, DELETE ON portal_invitation, portal_api_key TO portal_app;
