-- The work: projects, milestones, deliverables, documents and their versions, approvals, status
-- updates, decisions, tasks, client requests, threads and messages, invoices and share links.
--
-- Enums are text with a CHECK; money is a bigint amount in minor units with its ISO 4217 code.
-- Row-level security as in 0001: one policy per table admits only the transaction's tenant.
--
-- Isolation in the schema: every row carries tenant_id and client_id, and refers to its parent by
-- (tenant_id, client_id, parent_id) — or (tenant_id, project_id, parent_id) where the parent must
-- also be of the same project — so no row can point into another tenant or another client.
-- People (authors, uploaders, deciders) are (tenant_id, user_id) references; NULL where a
-- background job acted (the record shows the nil id).

CREATE TABLE portal_project (
    project_id          uuid        NOT NULL PRIMARY KEY,
    tenant_id           uuid        NOT NULL,
    client_id           uuid        NOT NULL,
    name                text        NOT NULL,
    description         text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('active', 'on_hold', 'completed', 'archived')),
    visibility          text        NOT NULL CHECK (visibility IN ('internal', 'shared')),
    schedule_start      date        NULL,
    schedule_end        date        NULL,
    budget_amount_minor bigint      NULL,
    budget_currency     text        NULL,
    external_id         text        NULL CHECK (external_id <> ''),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK ((schedule_start IS NULL) = (schedule_end IS NULL)),
    CHECK (schedule_start IS NULL OR schedule_start <= schedule_end),
    CHECK ((budget_amount_minor IS NULL) = (budget_currency IS NULL)),
    UNIQUE (tenant_id, project_id),
    -- Also the dashboard's index: a client's projects, newest first.
    UNIQUE (tenant_id, client_id, project_id),
    UNIQUE (tenant_id, external_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id)
);

CREATE TABLE portal_milestone (
    milestone_id uuid        NOT NULL PRIMARY KEY,
    tenant_id    uuid        NOT NULL,
    client_id    uuid        NOT NULL,
    project_id   uuid        NOT NULL,
    title        text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed')),
    due_on       date        NULL,
    position     integer     NOT NULL,
    visibility   text        NOT NULL CHECK (visibility IN ('internal', 'shared')),
    external_id  text        NULL CHECK (external_id <> ''),
    created_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, milestone_id),
    -- Also a project's milestones, newest first; deliverables refer to it to stay in the project.
    UNIQUE (tenant_id, project_id, milestone_id),
    UNIQUE (tenant_id, external_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id)
);
-- Milestone progress per project, counted from the index alone.
CREATE INDEX portal_milestone_progress
    ON portal_milestone (tenant_id, project_id, visibility, status);

CREATE TABLE portal_deliverable (
    deliverable_id uuid        NOT NULL PRIMARY KEY,
    tenant_id      uuid        NOT NULL,
    client_id      uuid        NOT NULL,
    project_id     uuid        NOT NULL,
    milestone_id   uuid        NOT NULL,
    title          text        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('not_started', 'in_progress', 'in_review',
                                                   'approved', 'changes_requested', 'delivered')),
    due_on         date        NULL,
    visibility     text        NOT NULL CHECK (visibility IN ('internal', 'shared')),
    external_id    text        NULL CHECK (external_id <> ''),
    created_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, deliverable_id),
    UNIQUE (tenant_id, client_id, deliverable_id),
    UNIQUE (tenant_id, external_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, project_id, milestone_id)
        REFERENCES portal_milestone (tenant_id, project_id, milestone_id)
);
CREATE INDEX portal_deliverable_milestone ON portal_deliverable (tenant_id, milestone_id, deliverable_id);

-- current_version_id refers to a version of this very document (checked by the foreign key).
CREATE TABLE portal_document (
    document_id        uuid        NOT NULL PRIMARY KEY,
    tenant_id          uuid        NOT NULL,
    client_id          uuid        NOT NULL,
    project_id         uuid        NULL,
    title              text        NOT NULL,
    visibility         text        NOT NULL CHECK (visibility IN ('internal', 'shared')),
    current_version_id uuid        NULL,
    created_at         timestamptz NOT NULL,
    UNIQUE (tenant_id, document_id),
    -- Also a client's documents, newest first, for staff.
    UNIQUE (tenant_id, client_id, document_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id)
);
CREATE INDEX portal_document_project ON portal_document (tenant_id, project_id, document_id);
-- The dashboard's shared documents of a client, newest first, skipping the internal ones.
CREATE INDEX portal_document_shared ON portal_document (tenant_id, client_id, visibility, document_id);

-- A blob is recorded as one version only (its key is unique across tenants).
CREATE TABLE portal_document_version (
    document_version_id uuid        NOT NULL PRIMARY KEY,
    tenant_id           uuid        NOT NULL,
    client_id           uuid        NOT NULL,
    document_id         uuid        NOT NULL,
    number              integer     NOT NULL CHECK (number >= 1),
    blob_key            text        NOT NULL UNIQUE CHECK (blob_key <> ''),
    sha256              bytea       NOT NULL CHECK (length(sha256) = 32),
    size                bigint      NOT NULL CHECK (size >= 0),
    content_type        text        NOT NULL,
    file_name           text        NOT NULL,
    uploaded_by         uuid        NULL,
    created_at          timestamptz NOT NULL,
    UNIQUE (tenant_id, document_version_id),
    UNIQUE (tenant_id, client_id, document_version_id),
    -- Also a document's versions, newest first.
    UNIQUE (tenant_id, document_id, document_version_id),
    UNIQUE (tenant_id, document_id, number),
    FOREIGN KEY (tenant_id, client_id, document_id)
        REFERENCES portal_document (tenant_id, client_id, document_id),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES portal_user (tenant_id, user_id)
);
-- The document and its versions refer to each other: this side is added once both exist.
ALTER TABLE portal_document ADD CONSTRAINT portal_document_current_version
    FOREIGN KEY (tenant_id, document_id, current_version_id)
    REFERENCES portal_document_version (tenant_id, document_id, document_version_id);

-- Approvals are always shared: asking is publishing. Decided ones carry who, when and how.
CREATE TABLE portal_approval (
    approval_id         uuid        NOT NULL PRIMARY KEY,
    tenant_id           uuid        NOT NULL,
    client_id           uuid        NOT NULL,
    project_id          uuid        NOT NULL,
    deliverable_id      uuid        NULL,
    document_version_id uuid        NOT NULL,
    sha256              bytea       NOT NULL CHECK (length(sha256) = 32),
    status              text        NOT NULL CHECK (status IN ('pending', 'approved', 'changes_requested',
                                                        'cancelled', 'expired')),
    message             text        NOT NULL,
    requested_by        uuid        NULL,
    requested_at        timestamptz NOT NULL,
    due_at              timestamptz NULL,
    decided_by          uuid        NULL,
    decided_at          timestamptz NULL,
    comment             text        NULL,
    signature           text        NULL,
    visibility          text        NOT NULL CHECK (visibility = 'shared'),
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
);
-- The dashboard's pending approvals of a client, newest first.
CREATE INDEX portal_approval_client ON portal_approval (tenant_id, client_id, status, approval_id);
CREATE INDEX portal_approval_project ON portal_approval (tenant_id, project_id, approval_id);
-- The expiry sweep looks at pending approvals only.
CREATE INDEX portal_approval_pending_due ON portal_approval (tenant_id, due_at)
    WHERE status = 'pending';

CREATE TABLE portal_update (
    update_id  uuid        NOT NULL PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    client_id  uuid        NOT NULL,
    project_id uuid        NOT NULL,
    title      text        NOT NULL,
    body       text        NOT NULL,
    visibility text        NOT NULL CHECK (visibility IN ('internal', 'shared')),
    author     uuid        NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, update_id),
    UNIQUE (tenant_id, client_id, update_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, author) REFERENCES portal_user (tenant_id, user_id)
);
CREATE INDEX portal_update_project ON portal_update (tenant_id, project_id, update_id);
-- The dashboard's latest shared updates of a client, skipping the drafts.
CREATE INDEX portal_update_shared ON portal_update (tenant_id, client_id, visibility, update_id);

CREATE TABLE portal_decision (
    decision_id uuid        NOT NULL PRIMARY KEY,
    tenant_id   uuid        NOT NULL,
    client_id   uuid        NOT NULL,
    project_id  uuid        NOT NULL,
    title       text        NOT NULL,
    body        text        NOT NULL,
    decided_on  date        NOT NULL,
    visibility  text        NOT NULL CHECK (visibility IN ('internal', 'shared')),
    author      uuid        NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, decision_id),
    UNIQUE (tenant_id, client_id, decision_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, author) REFERENCES portal_user (tenant_id, user_id)
);
CREATE INDEX portal_decision_project ON portal_decision (tenant_id, project_id, decision_id);

CREATE TABLE portal_task (
    task_id    uuid        NOT NULL PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    client_id  uuid        NOT NULL,
    project_id uuid        NOT NULL,
    title      text        NOT NULL,
    owner      text        NOT NULL CHECK (owner IN ('client', 'team')),
    assignee   uuid        NULL,
    status     text        NOT NULL CHECK (status IN ('open', 'done')),
    due_on     date        NULL,
    visibility text        NOT NULL CHECK (visibility IN ('internal', 'shared')),
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, task_id),
    UNIQUE (tenant_id, client_id, task_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, assignee) REFERENCES portal_user (tenant_id, user_id)
);
CREATE INDEX portal_task_project ON portal_task (tenant_id, project_id, task_id);

-- Requests are the client's own, so always shared.
CREATE TABLE portal_request (
    request_id   uuid        NOT NULL PRIMARY KEY,
    tenant_id    uuid        NOT NULL,
    client_id    uuid        NOT NULL,
    project_id   uuid        NULL,
    title        text        NOT NULL,
    body         text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    submitted_by uuid        NULL,
    visibility   text        NOT NULL CHECK (visibility = 'shared'),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, request_id),
    UNIQUE (tenant_id, client_id, request_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES portal_user (tenant_id, user_id)
);
CREATE INDEX portal_request_status ON portal_request (tenant_id, status, request_id);

-- One thread per subject. The subject is polymorphic, so no foreign key can name it: the store
-- checks it exists in the tenant (and the client) before opening a thread.
CREATE TABLE portal_thread (
    thread_id    uuid        NOT NULL PRIMARY KEY,
    tenant_id    uuid        NOT NULL,
    client_id    uuid        NOT NULL,
    subject_kind text        NOT NULL CHECK (subject_kind IN ('project', 'deliverable', 'document',
                                                       'approval', 'request', 'task')),
    subject_id   uuid        NOT NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, thread_id),
    UNIQUE (tenant_id, client_id, thread_id),
    UNIQUE (tenant_id, subject_kind, subject_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id)
);

CREATE TABLE portal_message (
    message_id uuid        NOT NULL PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    client_id  uuid        NOT NULL,
    thread_id  uuid        NOT NULL,
    author     uuid        NULL,
    body       text        NOT NULL,
    visibility text        NOT NULL CHECK (visibility IN ('internal', 'shared')),
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, message_id),
    FOREIGN KEY (tenant_id, client_id, thread_id)
        REFERENCES portal_thread (tenant_id, client_id, thread_id),
    FOREIGN KEY (tenant_id, author) REFERENCES portal_user (tenant_id, user_id)
);
CREATE INDEX portal_message_thread ON portal_message (tenant_id, thread_id, message_id);

CREATE TABLE portal_invoice (
    invoice_id    uuid        NOT NULL PRIMARY KEY,
    tenant_id     uuid        NOT NULL,
    client_id     uuid        NOT NULL,
    project_id    uuid        NULL,
    number        text        NOT NULL,
    amount_minor  bigint      NOT NULL,
    currency      text        NOT NULL CHECK (length(currency) = 3),
    status        text        NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void')),
    issued_on     date        NULL,
    due_on        date        NULL,
    payment_url   text        NULL,
    internal_note text        NULL,
    external_id   text        NULL CHECK (external_id <> ''),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (tenant_id, invoice_id),
    UNIQUE (tenant_id, client_id, invoice_id),
    UNIQUE (tenant_id, external_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id)
);

-- Only the SHA-256 of a link's token is stored. A link shows one project (the only target).
CREATE TABLE portal_share_link (
    share_link_id  uuid        NOT NULL PRIMARY KEY,
    tenant_id      uuid        NOT NULL,
    client_id      uuid        NOT NULL,
    target_kind    text        NOT NULL CHECK (target_kind IN ('project')),
    project_id     uuid        NOT NULL,
    token_hash     bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    allow_download boolean     NOT NULL,
    expires_at     timestamptz NOT NULL,
    max_uses       integer     NULL CHECK (max_uses >= 1),
    uses           integer     NOT NULL DEFAULT 0 CHECK (uses >= 0),
    created_by     uuid        NULL,
    created_at     timestamptz NOT NULL,
    revoked_at     timestamptz NULL,
    CHECK (max_uses IS NULL OR uses <= max_uses),
    UNIQUE (tenant_id, share_link_id),
    UNIQUE (tenant_id, client_id, share_link_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES portal_client (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id, project_id)
        REFERENCES portal_project (tenant_id, client_id, project_id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES portal_user (tenant_id, user_id)
);

-- Row-level security on every table: one policy for reads and writes alike.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY[
        'portal_project', 'portal_milestone', 'portal_deliverable', 'portal_document',
        'portal_document_version', 'portal_approval', 'portal_update', 'portal_decision',
        'portal_task', 'portal_request', 'portal_thread', 'portal_message', 'portal_invoice',
        'portal_share_link'
    ] LOOP
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
    portal_project, portal_milestone, portal_deliverable, portal_document,
    portal_document_version, portal_approval, portal_update, portal_decision, portal_task,
    portal_request, portal_thread, portal_message, portal_invoice, portal_share_link
TO portal_app;
