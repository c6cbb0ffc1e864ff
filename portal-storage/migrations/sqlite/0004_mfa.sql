-- Login tokens and second factors: single-use password-reset and magic-link tokens, TOTP
-- enrolments and recovery codes.
--
-- Conventions as in 0001, plus STRICT tables as in 0002. Only the SHA-256 of a token or a code is
-- stored; the TOTP secret arrives sealed by the auth crate and is kept as opaque bytes. Every row
-- belongs to a user by (tenant_id, user_id) and goes with the user.

-- Single-use login tokens (password reset, magic link, the second step of a login): one per user
-- and purpose, so issuing a new one replaces the old.
CREATE TABLE portal_login_token (
    token_hash BLOB NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    tenant_id  BLOB NOT NULL,
    user_id    BLOB NOT NULL,
    purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset', 'magic_link', 'mfa_challenge')),
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, user_id, purpose),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
) STRICT;

-- TOTP enrolments, not in force until confirmed. last_step is the last time step whose code was
-- accepted, so no code works twice; an unconfirmed enrolment has accepted none.
CREATE TABLE portal_totp (
    tenant_id     BLOB    NOT NULL,
    user_id       BLOB    NOT NULL,
    sealed_secret BLOB    NOT NULL CHECK (length(sealed_secret) > 0),
    confirmed_at  TEXT    NULL,
    last_step     INTEGER NULL CHECK (last_step >= 0),
    created_at    TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    CHECK (confirmed_at IS NOT NULL OR last_step IS NULL),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
) STRICT;

-- Recovery codes: each works once (used_at is set when it is spent).
CREATE TABLE portal_recovery_code (
    tenant_id BLOB NOT NULL,
    user_id   BLOB NOT NULL,
    code_hash BLOB NOT NULL CHECK (length(code_hash) = 32),
    used_at   TEXT NULL,
    PRIMARY KEY (tenant_id, user_id, code_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
) STRICT;
