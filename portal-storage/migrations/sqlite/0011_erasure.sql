-- Offboarding and erasure of a client's personal data, and audit events whose personal facts can
-- be erased while the chain stays verifiable. Times as in 0001: RFC 3339 text.

-- When the engagement was ended (cleared by a restore) and when the personal data was erased
-- (final: an erased client cannot be restored).
ALTER TABLE portal_client ADD COLUMN offboarded_at TEXT NULL;
ALTER TABLE portal_client ADD COLUMN erased_at TEXT NULL;
-- When a person's personal data was erased (the row stays, under a pseudonym).
ALTER TABLE portal_user ADD COLUMN erased_at TEXT NULL;

-- Audit events: version 1 hashes every field (ip included); version 2 keeps the personal facts
-- (ip, personal) under a salted commitment (personal_digest = SHA-256(salt || facts)) that the
-- hash covers instead, so erasing salt, ip and personal leaves the chain verifiable.
-- subject_id names whose personal facts they are, when known.
ALTER TABLE portal_audit_event ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1
    CHECK (hash_version IN (1, 2));
ALTER TABLE portal_audit_event ADD COLUMN subject_id BLOB NULL;
ALTER TABLE portal_audit_event ADD COLUMN personal TEXT NULL;
ALTER TABLE portal_audit_event ADD COLUMN personal_salt BLOB NULL;
ALTER TABLE portal_audit_event ADD COLUMN personal_digest BLOB NULL;
ALTER TABLE portal_audit_event ADD COLUMN erased_at TEXT NULL;
-- Erasure finds a person's events by actor, by subject, by their email as a personal fact (a
-- failed login), and an invitation's by object.
CREATE INDEX portal_audit_event_actor ON portal_audit_event (tenant_id, actor);
CREATE INDEX portal_audit_event_subject ON portal_audit_event (tenant_id, subject_id)
    WHERE subject_id IS NOT NULL;
CREATE INDEX portal_audit_event_personal ON portal_audit_event (tenant_id, personal)
    WHERE personal IS NOT NULL;
CREATE INDEX portal_audit_event_object ON portal_audit_event (tenant_id, object_kind, object_id)
    WHERE object_id IS NOT NULL;
