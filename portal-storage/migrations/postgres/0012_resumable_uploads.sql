-- Resumable uploads in progress: who began each (a user, or a visitor through a share link that
-- takes uploads), what its bytes become once complete, and until when it may be continued. The
-- bytes themselves are staged in the blob store under the same id.
-- Row-level security as in 0001: the policy admits only the transaction's tenant (or every
-- tenant in a global method).
--
-- An upload becomes either a new document in a project (project_id, title, visibility) or the
-- next version of a document (document_id). Deleting the user, share link, project or document
-- deletes the record; its staged bytes are then swept as idle.

-- Whether a share link takes uploads (each becomes an internal document of its project), and the
-- link a version came in through (named by id only, like the download log: the version outlives
-- the link).
ALTER TABLE portal_document_version ADD COLUMN via_share_link_id uuid NULL;
ALTER TABLE portal_share_link ADD COLUMN allow_upload boolean NOT NULL DEFAULT false;

CREATE TABLE portal_resumable_upload (
    tenant_id     uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    upload_id     uuid        NOT NULL,
    user_id       uuid        NULL,
    share_link_id uuid        NULL,
    project_id    uuid        NULL,
    title         text        NULL,
    visibility    text        NULL CHECK (visibility IN ('internal', 'shared')),
    document_id   uuid        NULL,
    file_name     text        NOT NULL CHECK (octet_length(file_name) BETWEEN 1 AND 255),
    length        bigint      NOT NULL CHECK (length >= 0),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, upload_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id)
        ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, share_link_id) REFERENCES portal_share_link (tenant_id, share_link_id)
        ON DELETE CASCADE,
    CHECK ((user_id IS NULL) <> (share_link_id IS NULL)),
    FOREIGN KEY (tenant_id, project_id) REFERENCES portal_project (tenant_id, project_id)
        ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, document_id) REFERENCES portal_document (tenant_id, document_id)
        ON DELETE CASCADE,
    CHECK (
        (project_id IS NOT NULL AND title IS NOT NULL AND visibility IS NOT NULL
            AND document_id IS NULL)
        OR (project_id IS NULL AND title IS NULL AND visibility IS NULL
            AND document_id IS NOT NULL)
    )
);
-- The sweep finds expired uploads across tenants.
CREATE INDEX portal_resumable_upload_expiry ON portal_resumable_upload (expires_at);

DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['portal_resumable_upload'] LOOP
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

GRANT SELECT, INSERT, UPDATE, DELETE ON portal_resumable_upload TO portal_app;
