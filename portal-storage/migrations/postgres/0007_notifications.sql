-- What the portal tells people and systems: in-app notifications (with the state of the mail
-- each leads to), people's mail preferences, and webhook endpoints with their delivery log.
--
-- Conventions as in 0001 and 0002, with row-level security on every table. Every row carries
-- tenant_id and refers to its tenant's people and endpoints by (tenant_id, x_id). Outbox events
-- are named by id only: the outbox may be pruned while its notifications and deliveries stay. Event types are stored by
-- name (`approval.requested`), so a new type needs no migration.

-- One person hears of one outbox event once. The mail is claimed under a lease: a claim moves
-- mail_next_at past the lease, hiding the row from other claims until it ends.
CREATE TABLE portal_notification (
    notification_id     uuid        NOT NULL PRIMARY KEY,
    tenant_id           uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    user_id             uuid        NOT NULL,
    outbox_event_id     uuid        NOT NULL,
    event_type          text        NOT NULL CHECK (event_type <> ''),
    object_kind         text        NOT NULL,
    object_id           uuid        NOT NULL,
    client_id           uuid        NULL,
    project_id          uuid        NULL,
    title               text        NOT NULL,
    mail_state          text        NOT NULL
        CHECK (mail_state IN ('none', 'instant', 'digest', 'sent', 'failed')),
    mail_attempts       integer     NOT NULL DEFAULT 0 CHECK (mail_attempts >= 0),
    mail_next_at        timestamptz NOT NULL,
    occurred_at         timestamptz NOT NULL,
    read_at             timestamptz NULL,
    created_at          timestamptz NOT NULL,
    UNIQUE (tenant_id, outbox_event_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);
-- A person's list, newest first.
CREATE INDEX portal_notification_user ON portal_notification (tenant_id, user_id, notification_id);
-- A person's unread count.
CREATE INDEX portal_notification_unread ON portal_notification (tenant_id, user_id)
    WHERE read_at IS NULL;
-- Mail claims across tenants.
CREATE INDEX portal_notification_mail ON portal_notification (mail_state, mail_next_at);

-- A person's mail choice per event type; types without a row follow their default.
CREATE TABLE portal_mail_preference (
    tenant_id           uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    user_id             uuid        NOT NULL,
    event_type          text        NOT NULL CHECK (event_type <> ''),
    mail                text        NOT NULL CHECK (mail IN ('instant', 'digest', 'off')),
    PRIMARY KEY (tenant_id, user_id, event_type),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
);

-- Endpoints are deleted softly (deleted_at), so their delivery log stays readable. The secret is
-- stored as given (sealed by the caller to keep it encrypted at rest); event_types is a JSON
-- list of names, empty for every type.
CREATE TABLE portal_webhook_endpoint (
    webhook_endpoint_id uuid        NOT NULL PRIMARY KEY,
    tenant_id           uuid        NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    url                 text        NOT NULL CHECK (url <> ''),
    description         text        NOT NULL,
    event_types         text        NOT NULL,
    active              boolean     NOT NULL,
    secret              bytea       NOT NULL CHECK (length(secret) BETWEEN 16 AND 1024),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    deleted_at          timestamptz NULL,
    UNIQUE (tenant_id, webhook_endpoint_id)
);

-- One event's delivery to one endpoint, claimed under a lease like the outbox (a claim moves
-- next_attempt_at past the lease).
CREATE TABLE portal_webhook_delivery (
    webhook_delivery_id uuid        NOT NULL PRIMARY KEY,
    tenant_id           uuid        NOT NULL,
    webhook_endpoint_id uuid        NOT NULL,
    outbox_event_id     uuid        NOT NULL,
    event_type          text        NOT NULL CHECK (event_type <> ''),
    body                text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts            integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     timestamptz NOT NULL,
    last_status         integer     NULL CHECK (last_status BETWEEN 0 AND 65535),
    last_error          text        NULL,
    created_at          timestamptz NOT NULL,
    delivered_at        timestamptz NULL,
    UNIQUE (webhook_endpoint_id, outbox_event_id),
    UNIQUE (tenant_id, webhook_delivery_id),
    FOREIGN KEY (tenant_id, webhook_endpoint_id)
        REFERENCES portal_webhook_endpoint (tenant_id, webhook_endpoint_id) ON DELETE CASCADE
);
-- Delivery claims across tenants.
CREATE INDEX portal_webhook_delivery_due ON portal_webhook_delivery (status, next_attempt_at);
-- The log, newest first, of the tenant or of one endpoint.
CREATE INDEX portal_webhook_delivery_list ON portal_webhook_delivery (tenant_id, webhook_delivery_id);
CREATE INDEX portal_webhook_delivery_endpoint
    ON portal_webhook_delivery (tenant_id, webhook_endpoint_id, webhook_delivery_id);

-- Every attempt of a delivery, numbered from 1.
CREATE TABLE portal_webhook_attempt (
    tenant_id           uuid        NOT NULL,
    webhook_delivery_id uuid        NOT NULL,
    number              integer     NOT NULL CHECK (number >= 1),
    at                  timestamptz NOT NULL,
    status              integer     NULL CHECK (status BETWEEN 0 AND 65535),
    error               text        NULL,
    duration_ms         bigint      NOT NULL CHECK (duration_ms >= 0),
    PRIMARY KEY (webhook_delivery_id, number),
    FOREIGN KEY (tenant_id, webhook_delivery_id)
        REFERENCES portal_webhook_delivery (tenant_id, webhook_delivery_id) ON DELETE CASCADE
);

-- Row-level security on every table: one policy for reads and writes alike.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY[
        'portal_notification', 'portal_mail_preference', 'portal_webhook_endpoint',
        'portal_webhook_delivery', 'portal_webhook_attempt'
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
    portal_notification, portal_mail_preference, portal_webhook_endpoint,
    portal_webhook_delivery, portal_webhook_attempt
TO portal_app;
