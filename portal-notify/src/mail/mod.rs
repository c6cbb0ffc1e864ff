//! Branded, localised mail over SMTP.
