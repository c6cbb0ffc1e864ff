-- Deadlines announced once: an approval due soon, an invoice overdue.
ALTER TABLE portal_approval ADD COLUMN due_soon_announced_at timestamptz NULL;
ALTER TABLE portal_invoice ADD COLUMN overdue_announced_at timestamptz NULL;
