-- Passkeys (WebAuthn credentials) and the state of their ceremonies.
--
-- Conventions as in 0001, STRICT tables as in 0002. A passkey belongs to a user by
-- (tenant_id, user_id) and goes with the user; its credential id is unique within the tenant
-- (the browser names the credential, the tenant finds the user). The credential itself (public
-- key, signature counter) is kept as the auth crate serialised it.
CREATE TABLE portal_passkey (
    passkey_id    BLOB NOT NULL PRIMARY KEY,
    tenant_id     BLOB NOT NULL,
    user_id       BLOB NOT NULL,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    credential_id BLOB NOT NULL CHECK (length(credential_id) BETWEEN 1 AND 1023),
    credential    TEXT NOT NULL CHECK (length(credential) > 0),
    created_at    TEXT NOT NULL,
    last_used_at  TEXT NULL,
    UNIQUE (tenant_id, credential_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX portal_passkey_user ON portal_passkey (tenant_id, user_id);

-- A begun ceremony, between its two requests: found by the SHA-256 of its random handle, taken
-- (deleted) once, lapsing after minutes. A registration is a user's; a sign-in is nobody's yet.
CREATE TABLE portal_passkey_ceremony (
    handle_hash BLOB NOT NULL PRIMARY KEY CHECK (length(handle_hash) = 32),
    tenant_id   BLOB NOT NULL,
    user_id     BLOB NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('registration', 'authentication')),
    state       TEXT NOT NULL CHECK (length(state) > 0),
    expires_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK ((kind = 'registration') = (user_id IS NOT NULL)),
    FOREIGN KEY (tenant_id) REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
) STRICT;
