//! Notifications for the client portal: what the portal tells people and systems when something
//! changes.
//!
//! Every change that matters writes an outbox row in its own transaction (`portal-storage`).
//! The [`dispatch`] loop — a tokio task that may run in every replica — claims those rows and
//! fans each out: an in-app notification for every person who may see the object (read with
//! their own scope, so internal work never reaches a contact), a mail now or in the day's
//! digest as each person chose, and a signed delivery to every webhook endpoint that wants the
//! event. Mail goes out through [`mail`] (SMTP with `lettre`, branded and localised), webhooks
//! through [`webhook`] (HMAC-SHA256 signed, retried with backoff for up to 24 hours).

pub mod dispatch;
pub mod mail;
pub mod webhook;
