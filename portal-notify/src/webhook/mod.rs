//! Signed webhook deliveries.
