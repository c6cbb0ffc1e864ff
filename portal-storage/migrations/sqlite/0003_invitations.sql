-- Invitations and API keys. Only the SHA-256 of an invitation's token and of a key's secret is
-- stored.
--
-- Conventions as in 0002: STRICT tables, UUIDs as 16-byte BLOBs, timestamps as UTC TEXT, hashes
-- as 32-byte BLOBs, JSON as TEXT; children refer to their parents by (tenant_id, x_id).

-- An invitation to join as a contact of client_id, or as staff (client_id NULL). A re-send
-- revokes the open invitation it replaces, so at most one per email and client (or the staff)
-- is open — neither accepted nor revoked — at a time. The invitations of a deleted role go with it.
CREATE TABLE portal_invitation (
    invitation_id BLOB NOT NULL PRIMARY KEY,
    tenant_id     BLOB NOT NULL,
    email         TEXT NOT NULL,
    client_id     BLOB NULL,
    role_id       BLOB NOT NULL,
    token_hash    BLOB NOT NULL CHECK (length(token_hash) = 32),
    invited_by    BLOB NULL,
    expires_at    TEXT NOT NULL,
    accepted_at   TEXT NULL,
    revoked_at    TEXT NULL,
    created_at    TEXT NOT NULL,
    CHECK (accepted_at IS NULL OR revoked_at IS NULL),
    CONSTRAINT portal_invitation_token_hash UNIQUE (token_hash),
    UNIQUE (tenant_id, invitation_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_role (tenant_id, role_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, invited_by) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
CREATE UNIQUE INDEX portal_invitation_open_staff ON portal_invitation (tenant_id, email)
    WHERE client_id IS NULL AND accepted_at IS NULL AND revoked_at IS NULL;
CREATE UNIQUE INDEX portal_invitation_open_contact ON portal_invitation (tenant_id, email, client_id)
    WHERE client_id IS NOT NULL AND accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX portal_invitation_client ON portal_invitation (tenant_id, client_id, invitation_id);
CREATE INDEX portal_invitation_role ON portal_invitation (tenant_id, role_id);

-- An API key: a visible prefix, unique across all tenants, and the hash of its secret.
-- Permissions are a JSON list of permission names, as on roles.
CREATE TABLE portal_api_key (
    api_key_id   BLOB NOT NULL PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL CHECK (prefix <> ''),
    secret_hash  BLOB NOT NULL CHECK (length(secret_hash) = 32),
    permissions  TEXT NOT NULL,
    created_by   BLOB NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NULL,
    revoked_at   TEXT NULL,
    CONSTRAINT portal_api_key_prefix UNIQUE (prefix),
    CONSTRAINT portal_api_key_secret_hash UNIQUE (secret_hash),
    UNIQUE (tenant_id, api_key_id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
