-- Passkeys (WebAuthn credentials) and the state of their ceremonies.
--
-- A passkey belongs to a user by (tenant_id, user_id) and goes with the user; its credential id
-- is unique within the tenant (the browser names the credential, the tenant finds the user). The
-- credential itself (public key, signature counter) is kept as the auth crate serialised it.
-- Row-level security as in 0001: one policy per table admits only the transaction's tenant (or
-- every tenant in a global method).
CREATE TABLE portal_passkey (
    passkey_id    uuid        NOT NULL PRIMARY KEY,
    tenant_id     uuid        NOT NULL,
    user_id       uuid        NOT NULL,
    name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    credential_id bytea       NOT NULL CHECK (length(credential_id) BETWEEN 1 AND 1023),
    credential    text        NOT NULL CHECK (length(credential) > 0),
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz NULL,
    UNIQUE (tenant_id, credential_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX portal_passkey_user ON portal_passkey (tenant_id, user_id);

-- A begun ceremony, between its two requests: found by the SHA-256 of its random handle, taken
-- (deleted) once, lapsing after minutes. A registration is a user's; a sign-in is nobody's yet.
CREATE TABLE portal_passkey_ceremony (
    handle_hash bytea       NOT NULL PRIMARY KEY CHECK (length(handle_hash) = 32),
    tenant_id   uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    user_id     uuid        NULL,
    kind        text        NOT NULL CHECK (kind IN ('registration', 'authentication')),
    state       text        NOT NULL CHECK (length(state) > 0),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    CHECK ((kind = 'registration') = (user_id IS NOT NULL)),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);

DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['portal_passkey', 'portal_passkey_ceremony'] LOOP
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

GRANT SELECT, INSERT, UPDATE, DELETE ON portal_passkey, portal_passkey_ceremony TO portal_app;
