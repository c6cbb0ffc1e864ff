-- Idempotency keys: the first request under a key runs, a retry gets its stored response, and a
-- different request under the same key is refused.
--
-- A key belongs to its tenant and goes with it; the request is known only by its SHA-256. A row
-- without a response is in progress. Expired rows count as absent and are swept. Row-level
-- security as in 0001: the policy admits only the transaction's tenant (or every tenant in a
-- global method).

CREATE TABLE portal_idempotency_key (
    tenant_id       uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    idempotency_key text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash    bytea       NOT NULL CHECK (length(request_hash) = 32),
    status          integer     NULL CHECK (status BETWEEN 100 AND 599),
    response        bytea       NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key),
    CHECK ((status IS NULL) = (response IS NULL))
);
-- The sweep deletes by expiry across tenants.
CREATE INDEX portal_idempotency_key_expiry ON portal_idempotency_key (expires_at);

-- Row-level security on every table: one policy for reads and writes alike.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['portal_idempotency_key'] LOOP
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

GRANT SELECT, INSERT, UPDATE, DELETE ON portal_idempotency_key TO portal_app;
