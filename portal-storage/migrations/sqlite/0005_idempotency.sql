-- Idempotency keys: the first request under a key runs, a retry gets its stored response, and a
-- different request under the same key is refused.
--
-- Conventions as in 0001, plus STRICT tables as in 0002. A key belongs to its tenant and goes
-- with it; the request is known only by its SHA-256. A row without a response is in progress.
-- Expired rows count as absent and are swept.

CREATE TABLE portal_idempotency_key (
    tenant_id       BLOB    NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    idempotency_key TEXT    NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash    BLOB    NOT NULL CHECK (length(request_hash) = 32),
    status          INTEGER NULL CHECK (status BETWEEN 100 AND 599),
    response        BLOB    NULL,
    created_at      TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key),
    CHECK ((status IS NULL) = (response IS NULL))
) STRICT;
