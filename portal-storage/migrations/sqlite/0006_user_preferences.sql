-- A person's own settings besides the language (`locale`, since 0001): when they finished or
-- dismissed the first-login tour. NULL while the tour is still due; existing users see it once.
-- Times as in 0001: RFC 3339 text.

ALTER TABLE portal_user ADD COLUMN tour_done_at TEXT NULL;
