-- What the portal tells people and systems: in-app notifications (with the state of the mail
-- each leads to), people's mail preferences, and webhook endpoints with their delivery log.
--
-- Conventions as in 0001, plus STRICT tables as in 0002. Every row carries tenant_id and refers
-- to its tenant's people and endpoints by (tenant_id, x_id). Outbox events are named by id only:
-- the outbox may be pruned while its notifications and deliveries stay. Event types are stored by
-- name (`approval.requested`), so a new type needs no migration.

-- One person hears of one outbox event once. The mail is claimed under a lease: a claim moves
-- mail_next_at past the lease, hiding the row from other claims until it ends.
CREATE TABLE portal_notification (
    notification_id BLOB    NOT NULL PRIMARY KEY,
    tenant_id       BLOB    NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    user_id         BLOB    NOT NULL,
    outbox_event_id BLOB    NOT NULL,
    event_type      TEXT    NOT NULL CHECK (event_type <> ''),
    object_kind     TEXT    NOT NULL,
    object_id       BLOB    NOT NULL,
    client_id       BLOB    NULL,
    project_id      BLOB    NULL,
    title           TEXT    NOT NULL,
    mail_state      TEXT    NOT NULL
        CHECK (mail_state IN ('none', 'instant', 'digest', 'sent', 'failed')),
    mail_attempts   INTEGER NOT NULL DEFAULT 0 CHECK (mail_attempts >= 0),
    mail_next_at    TEXT    NOT NULL,
    occurred_at     TEXT    NOT NULL,
    read_at         TEXT    NULL,
    created_at      TEXT    NOT NULL,
    UNIQUE (tenant_id, outbox_event_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
) STRICT;
-- A person's list, newest first.
CREATE INDEX portal_notification_user ON portal_notification (tenant_id, user_id, notification_id);
-- A person's unread count.
CREATE INDEX portal_notification_unread ON portal_notification (tenant_id, user_id)
    WHERE read_at IS NULL;
-- Mail claims across tenants.
CREATE INDEX portal_notification_mail ON portal_notification (mail_state, mail_next_at);

-- A person's mail choice per event type; types without a row follow their default.
CREATE TABLE portal_mail_preference (
    tenant_id  BLOB NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL,
    event_type TEXT NOT NULL CHECK (event_type <> ''),
    mail       TEXT NOT NULL CHECK (mail IN ('instant', 'digest', 'off')),
    PRIMARY KEY (tenant_id, user_id, event_type),
    FOREIGN KEY (tenant_id, user_id) REFERENCES portal_user (tenant_id, user_id) ON DELETE CASCADE
) STRICT;

-- Endpoints are deleted softly (deleted_at), so their delivery log stays readable. The secret is
-- stored as given (sealed by the caller to keep it encrypted at rest); event_types is a JSON
-- list of names, empty for every type.
CREATE TABLE portal_webhook_endpoint (
    webhook_endpoint_id BLOB    NOT NULL PRIMARY KEY,
    tenant_id           BLOB    NOT NULL REFERENCES portal_tenant (tenant_id) ON DELETE CASCADE,
    url                 TEXT    NOT NULL CHECK (url <> ''),
    description         TEXT    NOT NULL,
    event_types         TEXT    NOT NULL,
    active              INTEGER NOT NULL CHECK (active IN (0, 1)),
    secret              BLOB    NOT NULL CHECK (length(secret) BETWEEN 16 AND 1024),
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    deleted_at          TEXT    NULL,
    UNIQUE (tenant_id, webhook_endpoint_id)
) STRICT;

-- One event's delivery to one endpoint, claimed under a lease like the outbox (a claim moves
-- next_attempt_at past the lease).
CREATE TABLE portal_webhook_delivery (
    webhook_delivery_id BLOB    NOT NULL PRIMARY KEY,
    tenant_id           BLOB    NOT NULL,
    webhook_endpoint_id BLOB    NOT NULL,
    outbox_event_id     BLOB    NOT NULL,
    event_type          TEXT    NOT NULL CHECK (event_type <> ''),
    body                TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     TEXT    NOT NULL,
    last_status         INTEGER NULL CHECK (last_status BETWEEN 0 AND 65535),
    last_error          TEXT    NULL,
    created_at          TEXT    NOT NULL,
    delivered_at        TEXT    NULL,
    UNIQUE (webhook_endpoint_id, outbox_event_id),
    UNIQUE (tenant_id, webhook_delivery_id),
    FOREIGN KEY (tenant_id, webhook_endpoint_id)
        REFERENCES portal_webhook_endpoint (tenant_id, webhook_endpoint_id) ON DELETE CASCADE
) STRICT;
-- Delivery claims across tenants.
CREATE INDEX portal_webhook_delivery_due ON portal_webhook_delivery (status, next_attempt_at);
-- The log, newest first, of the tenant or of one endpoint.
CREATE INDEX portal_webhook_delivery_list ON portal_webhook_delivery (tenant_id, webhook_delivery_id);
CREATE INDEX portal_webhook_delivery_endpoint
    ON portal_webhook_delivery (tenant_id, webhook_endpoint_id, webhook_delivery_id);

-- Every attempt of a delivery, numbered from 1.
CREATE TABLE portal_webhook_attempt (
    tenant_id           BLOB    NOT NULL,
    webhook_delivery_id BLOB    NOT NULL,
    number              INTEGER NOT NULL CHECK (number >= 1),
    at                  TEXT    NOT NULL,
    status              INTEGER NULL CHECK (status BETWEEN 0 AND 65535),
    error               TEXT    NULL,
    duration_ms         INTEGER NOT NULL CHECK (duration_ms >= 0),
    PRIMARY KEY (webhook_delivery_id, number),
    FOREIGN KEY (tenant_id, webhook_delivery_id)
        REFERENCES portal_webhook_delivery (tenant_id, webhook_delivery_id) ON DELETE CASCADE
) STRICT;
