-- Login tokens and second factors: single-use password-reset and magic-link tokens, TOTP
-- enrolments and recovery codes.
--
-- Only the SHA-256 of a token or a code is stored; the TOTP secret arrives sealed by the auth
-- crate and is kept as opaque bytes. Every row belongs to a user by (tenant_id, user_id) and goes
-- with the user. Row-level security as in 0001: one policy per table admits only the
-- transaction's tenant (or every tenant in a global method).

-- Single-use login tokens (password reset, magic link, the second step of a login): one per user
-- and purpose, so issuing a new one replaces the old.
CREATE TABLE portal_login_token (
    token_hash bytea       NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    purpose    text        NOT NULL CHECK (purpose IN ('password_reset', 'magic_link', 'mfa_challenge')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, user_id, purpose),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);

-- TOTP enrolments, not in force until confirmed. last_step is the last time step whose code was
-- accepted, so no code works twice; an unconfirmed enrolment has accepted none.
CREATE TABLE portal_totp (
    tenant_id     uuid        NOT NULL,
    user_id       uuid        NOT NULL,
    sealed_secret bytea       NOT NULL CHECK (length(sealed_secret) > 0),
    confirmed_at  timestamptz NULL,
    last_step     bigint      NULL CHECK (last_step >= 0),
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    CHECK (confirmed_at IS NOT NULL OR last_step IS NULL),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);

-- Recovery codes: each works once (used_at is set when it is spent).
CREATE TABLE portal_recovery_code (
    tenant_id uuid        NOT NULL,
    user_id   uuid        NOT NULL,
    code_hash bytea       NOT NULL CHECK (length(code_hash) = 32),
    used_at   timestamptz NULL,
    PRIMARY KEY (tenant_id, user_id, code_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);

-- Row-level security on every table: one policy for reads and writes alike.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['portal_login_token', 'portal_totp', 'portal_recovery_code'] LOOP
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

GRANT SELECT, INSERT, UPDATE, DELETE ON
    portal_login_token, portal_totp, portal_recovery_code
TO portal_app;
