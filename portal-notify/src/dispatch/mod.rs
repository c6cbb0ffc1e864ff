//! The outbox dispatcher.
