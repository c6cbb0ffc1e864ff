-- The work: projects, milestones, deliverables, documents and their versions, approvals, status
-- updates, decisions, tasks, client requests, threads and messages, invoices and share links.
--
-- Conventions as in 0001, plus: tables are STRICT, so a value of the wrong type is refused rather
-- than stored; enums are TEXT with a CHECK; dates are TEXT (YYYY-MM-DD); money is an integer
-- amount in minor units with its ISO 4217 code.
--
-- Isolation in the schema: every row carries tenant_id and client_id, and refers to its parent by
-- (tenant_id, client_id, parent_id) — or (tenant_id, project_id, parent_id) where the parent must
-- also be of the same project — so no row can point into another tenant or another client.
-- People (authors, uploaders, deciders) are (tenant_id, user_id) references; NULL where a
-- background job acted (the record shows the nil id).

CREATE TABLE portal_project (
    project_id          BLOB    NOT NULL PRIMARY KEY,
    tenant_id           BLOB    NOT NULL,
    client_id           BLOB    NOT NULL,
    name                TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('active', 'on_hold', 'completed', 'archived')),
    visibility          TEXT    NOT NULL CHECK (visibility IN ('internal', 'shared')),
    schedule_start      TEXT    NULL,
    schedule_end        TEXT    NULL,
    budget_amount_minor INTEGER NULL,
    budget_currency     TEXT    NULL,
    external_id         TEXT    NULL CHECK (external_id <> ''),
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    CHECK ((schedule_start IS NULL) = (schedule_end IS NULL)),
    CHECK (schedule_start IS NULL OR schedule_start <= schedule_end),
    CHECK ((budget_amount_minor IS NULL) = (budget_currency IS NULL)),
    UNIQUE (tenant_id, project_id),
    -- Also the dashboard's index: a client's projects, newest first.
    UNIQUE (tenant_id, client_id, project_id),
    UNIQUE (tenant_id, external_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id)
) STRICT;

CREATE TABLE portal_milestone (
    milestone_id BLOB    NOT NULL PRIMARY KEY,
    tenant_id    BLOB    NOT NULL,
    client_id    BLOB    NOT NULL,
    project_id   BLOB    NOT NULL,
    title        TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed')),
    due_on       TEXT    NULL,
    position     INTEGER NOT NULL,
    visibility   TEXT    NOT NULL CHECK (visibility IN ('internal', 'shared')),
    external_id  TEXT    NULL CHECK (external_id <> ''),
    created_at   TEXT    NOT NULL,
    UNIQUE (tenant_id, milestone_id),
    -- Also a project's milestones, newest first; deliverables refer to it to stay in the project.
    UNIQUE (tenant_id, project_id, milestone_id),
    UNIQUE (tenant_id, external_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id)
) STRICT;
-- Milestone progress per project, counted from the index alone.
CREATE INDEX portal_milestone_progress
    ON portal_milestone (tenant_id, project_id, visibility, status);

CREATE TABLE portal_deliverable (
    deliverable_id BLOB NOT NULL PRIMARY KEY,
    tenant_id      BLOB NOT NULL,
    client_id      BLOB NOT NULL,
    project_id     BLOB NOT NULL,
    milestone_id   BLOB NOT NULL,
    title          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'in_review',
                                                   'approved', 'changes_requested', 'delivered')),
    due_on         TEXT NULL,
    visibility     TEXT NOT NULL CHECK (visibility IN ('internal', 'shared')),
    external_id    TEXT NULL CHECK (external_id <> ''),
    created_at     TEXT NOT NULL,
    UNIQUE (tenant_id, deliverable_id),
    UNIQUE (tenant_id, client_id, deliverable_id),
    UNIQUE (tenant_id, external_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, project_id, milestone_id)
        REFERENCES portal_milestone (tenant_id, project_id, milestone_id)
) STRICT;
CREATE INDEX portal_deliverable_milestone ON portal_deliverable (tenant_id, milestone_id, deliverable_id);

-- current_version_id refers to a version of this very document (checked by the foreign key).
CREATE TABLE portal_document (
    document_id        BLOB NOT NULL PRIMARY KEY,
    tenant_id          BLOB NOT NULL,
    client_id          BLOB NOT NULL,
    project_id         BLOB NULL,
    title              TEXT NOT NULL,
    visibility         TEXT NOT NULL CHECK (visibility IN ('internal', 'shared')),
    current_version_id BLOB NULL,
    created_at         TEXT NOT NULL,
    UNIQUE (tenant_id, document_id),
    -- Also a client's documents, newest first, for staff.
    UNIQUE (tenant_id, client_id, document_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, document_id, current_version_id)
        REFERENCES portal_document_version (tenant_id, document_id, document_version_id)
) STRICT;
CREATE INDEX portal_document_project ON portal_document (tenant_id, project_id, document_id);
-- The dashboard's shared documents of a client, newest first, skipping the internal ones.
CREATE INDEX portal_document_shared ON portal_document (tenant_id, client_id, visibility, document_id);

-- A blob is recorded as one version only (its key is unique across tenants).
CREATE TABLE portal_document_version (
    document_version_id BLOB    NOT NULL PRIMARY KEY,
    tenant_id           BLOB    NOT NULL,
    client_id           BLOB    NOT NULL,
    document_id         BLOB    NOT NULL,
    number              INTEGER NOT NULL CHECK (number >= 1),
    blob_key            TEXT    NOT NULL UNIQUE CHECK (blob_key <> ''),
    sha256              BLOB    NOT NULL CHECK (length(sha256) = 32),
    size                INTEGER NOT NULL CHECK (size >= 0),
    content_type        TEXT    NOT NULL,
    file_name           TEXT    NOT NULL,
    uploaded_by         BLOB    NULL,
    created_at          TEXT    NOT NULL,
    UNIQUE (tenant_id, document_version_id),
    UNIQUE (tenant_id, client_id, document_version_id),
    -- Also a document's versions, newest first.
    UNIQUE (tenant_id, document_id, document_version_id),
    UNIQUE (tenant_id, document_id, number),
    FOREIGN KEY (tenant_id, client_id, document_id)
        REFERENCES portal_document (tenant_id, client_id, document_id),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES portal_user (tenant_id, user_id)
) STRICT;

-- Approvals are always shared: asking is publishing. Decided ones carry who, when and how.
CREATE TABLE portal_approval (
    approval_id         BLOB NOT NULL PRIMARY KEY,
    tenant_id           BLOB NOT NULL,
    client_id           BLOB NOT NULL,
    project_id          BLOB NOT NULL,
    deliverable_id      BLOB NULL,
    document_version_id BLOB NOT NULL,
    sha256              BLOB NOT NULL CHECK (length(sha256) = 32),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'changes_requested',
                                                        'cancelled', 'expired')),
    message             TEXT NOT NULL,
    requested_by        BLOB NULL,
    requested_at        TEXT NOT NULL,
    due_at              TEXT NULL,
    decided_by          BLOB NULL,
    decided_at          TEXT NULL,
    comment             TEXT NULL,
    signature           TEXT NULL,
    visibility          TEXT NOT NULL CHECK (visibility = 'shared'),
    CHECK ((status IN ('approved', 'changes_requested')) = (decided_at IS NOT NULL)),
    UNIQUE (tenant_id, approval_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, client_id, deliverable_id)
        REFERENCES portal_deliverable (tenant_id, client_id, deliverable_id),
    FOREIGN KEY (tenant_id, client_id, document_version_id)
        REFERENCES portal_document_version (tenant_id, client_id, document_version_id),
    FOREIGN KEY (tenant_id, requested_by) REFERENCES portal_user (tenant_id, user_id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
-- The dashboard's pending approvals of a client, newest first.
CREATE INDEX portal_approval_client ON portal_approval (tenant_id, client_id, status, approval_id);
CREATE INDEX portal_approval_project ON portal_approval (tenant_id, project_id, approval_id);
-- The expiry sweep looks at pending approvals only.
CREATE INDEX portal_approval_pending_due ON portal_approval (tenant_id, due_at)
    WHERE status = 'pending';

CREATE TABLE portal_update (
    update_id  BLOB NOT NULL PRIMARY KEY,
    tenant_id  BLOB NOT NULL,
    client_id  BLOB NOT NULL,
    project_id BLOB NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('internal', 'shared')),
    author     BLOB NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, update_id),
    UNIQUE (tenant_id, client_id, update_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, author) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
CREATE INDEX portal_update_project ON portal_update (tenant_id, project_id, update_id);
-- The dashboard's latest shared updates of a client, skipping the drafts.
CREATE INDEX portal_update_shared ON portal_update (tenant_id, client_id, visibility, update_id);

CREATE TABLE portal_decision (
    decision_id BLOB NOT NULL PRIMARY KEY,
    tenant_id   BLOB NOT NULL,
    client_id   BLOB NOT NULL,
    project_id  BLOB NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    decided_on  TEXT NOT NULL,
    visibility  TEXT NOT NULL CHECK (visibility IN ('internal', 'shared')),
    author      BLOB NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, decision_id),
    UNIQUE (tenant_id, client_id, decision_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, author) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
CREATE INDEX portal_decision_project ON portal_decision (tenant_id, project_id, decision_id);

CREATE TABLE portal_task (
    task_id    BLOB NOT NULL PRIMARY KEY,
    tenant_id  BLOB NOT NULL,
    client_id  BLOB NOT NULL,
    project_id BLOB NOT NULL,
    title      TEXT NOT NULL,
    owner      TEXT NOT NULL CHECK (owner IN ('client', 'team')),
    assignee   BLOB NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'done')),
    due_on     TEXT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('internal', 'shared')),
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, task_id),
    UNIQUE (tenant_id, client_id, task_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, assignee) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
CREATE INDEX portal_task_project ON portal_task (tenant_id, project_id, task_id);

-- Requests are the client's own, so always shared.
CREATE TABLE portal_request (
    request_id   BLOB NOT NULL PRIMARY KEY,
    tenant_id    BLOB NOT NULL,
    client_id    BLOB NOT NULL,
    project_id   BLOB NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    submitted_by BLOB NULL,
    visibility   TEXT NOT NULL CHECK (visibility = 'shared'),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (tenant_id, request_id),
    UNIQUE (tenant_id, client_id, request_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
CREATE INDEX portal_request_status ON portal_request (tenant_id, status, request_id);

-- One thread per subject. The subject is polymorphic, so no foreign key can name it: the store
-- checks it exists in the tenant (and the client) before opening a thread.
CREATE TABLE portal_thread (
    thread_id    BLOB NOT NULL PRIMARY KEY,
    tenant_id    BLOB NOT NULL,
    client_id    BLOB NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('project', 'deliverable', 'document',
                                                       'approval', 'request', 'task')),
    subject_id   BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (tenant_id, thread_id),
    UNIQUE (tenant_id, client_id, thread_id),
    UNIQUE (tenant_id, subject_kind, subject_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id)
) STRICT;

CREATE TABLE portal_message (
    message_id BLOB NOT NULL PRIMARY KEY,
    tenant_id  BLOB NOT NULL,
    client_id  BLOB NOT NULL,
    thread_id  BLOB NOT NULL,
    author     BLOB NULL,
    body       TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('internal', 'shared')),
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, message_id),
    FOREIGN KEY (tenant_id, client_id, thread_id)
        REFERENCES portal_thread (tenant_id, client_id, thread_id),
    FOREIGN KEY (tenant_id, author) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
CREATE INDEX portal_message_thread ON portal_message (tenant_id, thread_id, message_id);

CREATE TABLE portal_invoice (
    invoice_id    BLOB    NOT NULL PRIMARY KEY,
    tenant_id     BLOB    NOT NULL,
    client_id     BLOB    NOT NULL,
    project_id    BLOB    NULL,
    number        TEXT    NOT NULL,
    amount_minor  INTEGER NOT NULL,
    currency      TEXT    NOT NULL CHECK (length(currency) = 3),
    status        TEXT    NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void')),
    issued_on     TEXT    NULL,
    due_on        TEXT    NULL,
    payment_url   TEXT    NULL,
    internal_note TEXT    NULL,
    external_id   TEXT    NULL CHECK (external_id <> ''),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (tenant_id, invoice_id),
    UNIQUE (tenant_id, client_id, invoice_id),
    UNIQUE (tenant_id, external_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id)
) STRICT;

-- Only the SHA-256 of a link's token is stored. A link shows one project (the only target).
CREATE TABLE portal_share_link (
    share_link_id  BLOB    NOT NULL PRIMARY KEY,
    tenant_id      BLOB    NOT NULL,
    client_id      BLOB    NOT NULL,
    target_kind    TEXT    NOT NULL CHECK (target_kind IN ('project')),
    project_id     BLOB    NOT NULL,
    token_hash     BLOB    NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    allow_download INTEGER NOT NULL CHECK (allow_download IN (0, 1)),
    expires_at     TEXT    NOT NULL,
    max_uses       INTEGER NULL CHECK (max_uses >= 1),
    uses           INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    created_by     BLOB    NULL,
    created_at     TEXT    NOT NULL,
    revoked_at     TEXT    NULL,
    CHECK (max_uses IS NULL OR uses <= max_uses),
    UNIQUE (tenant_id, share_link_id),
    UNIQUE (tenant_id, client_id, share_link_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES portal_user (tenant_id, user_id)
) STRICT;
