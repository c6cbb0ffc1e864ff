-- Adoption analytics: each person's first login, a log of downloads, and the indexes the
-- per-client figures are read through (none of them scans a table or the audit log).

-- Set once, by the first login after this migration. Users from before it get their last login
-- as seen now: the earliest login the database still knows.
ALTER TABLE portal_user ADD COLUMN first_login_at TEXT NULL;
UPDATE portal_user SET first_login_at = last_login_at WHERE last_login_at IS NOT NULL;

-- One row per download of a document version: by a user (staff or contact) or through a share
-- link. Staff downloads are kept but do not count as the client's. The downloader is named by id
-- only, so the log outlives a removed person or link without holding their deletion back.
CREATE TABLE portal_download (
    download_id         BLOB    NOT NULL PRIMARY KEY,
    tenant_id           BLOB    NOT NULL,
    client_id           BLOB    NOT NULL,
    document_id         BLOB    NOT NULL,
    document_version_id BLOB    NOT NULL,
    user_id             BLOB    NULL,
    share_link_id       BLOB    NULL,
    by_staff            INTEGER NOT NULL CHECK (by_staff IN (0, 1)),
    downloaded_at       TEXT    NOT NULL,
    CHECK (user_id IS NOT NULL OR share_link_id IS NOT NULL),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id)
        ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id, document_version_id)
        REFERENCES portal_document_version (tenant_id, client_id, document_version_id)
        ON DELETE CASCADE
) STRICT;
-- A client's downloads in a window.
CREATE INDEX portal_download_client ON portal_download (tenant_id, client_id, downloaded_at);

-- A client's contacts, without reading the tenant's other memberships.
CREATE INDEX portal_membership_client_user ON portal_membership (tenant_id, client_id, user_id);
-- A client's invitations sent in a window.
CREATE INDEX portal_invitation_client_created ON portal_invitation (tenant_id, client_id, created_at);
-- A client's approvals decided in a window.
CREATE INDEX portal_approval_client_decided ON portal_approval (tenant_id, client_id, decided_at)
    WHERE decided_at IS NOT NULL;
-- A client's requests by status, oldest first.
CREATE INDEX portal_request_client_status ON portal_request (tenant_id, client_id, status, created_at);
