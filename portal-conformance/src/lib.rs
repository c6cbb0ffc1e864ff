#![doc = include_str!("../README.md")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a conformance suite is a test: a failed step must stop it loudly"
)]

pub mod blob;
mod harness;
pub mod stores;
pub mod tamper;

pub use harness::{Backdate, Harness, IntoHarness, Tamper};

#[cfg(test)]
mod tests {
    /// Every check the suites define — a `pub async fn` taking the harness — is in its macro's
    /// list: a check left out would compile and never run.
    #[test]
    fn every_check_is_in_its_suites_list() {
        let stores_list = include_str!("stores/mod.rs");
        let areas = [
            ("access", include_str!("stores/access.rs")),
            ("analytics", include_str!("stores/analytics.rs")),
            ("approvals", include_str!("stores/approvals.rs")),
            ("audit", include_str!("stores/audit.rs")),
            ("changes", include_str!("stores/changes.rs")),
            ("content", include_str!("stores/content.rs")),
            ("external_ids", include_str!("stores/external_ids.rs")),
            ("finance", include_str!("stores/finance.rs")),
            ("idempotency", include_str!("stores/idempotency.rs")),
            ("invitations", include_str!("stores/invitations.rs")),
            ("isolation", include_str!("stores/isolation.rs")),
            ("mfa", include_str!("stores/mfa.rs")),
            ("notices", include_str!("stores/notices.rs")),
            ("notifications", include_str!("stores/notifications.rs")),
            ("offboarding", include_str!("stores/offboarding.rs")),
            ("pagination", include_str!("stores/pagination.rs")),
            ("passkeys", include_str!("stores/passkeys.rs")),
            ("people_reach", include_str!("stores/people_reach.rs")),
            ("preferences", include_str!("stores/preferences.rs")),
            ("tenancy", include_str!("stores/tenancy.rs")),
            ("uploads", include_str!("stores/uploads.rs")),
            ("work", include_str!("stores/work.rs")),
        ];
        let mut checks = 0;
        for (area, source) in areas {
            assert!(
                stores_list.contains(&format!("pub mod {area};")),
                "{area} is no module of the stores suite"
            );
            for name in checks_in(source, "(h: &Harness)") {
                checks += 1;
                assert!(
                    stores_list.contains(&format!("{area}::{name},")),
                    "stores check {area}::{name} is missing from stores_suite!"
                );
            }
        }
        assert_eq!(checks, 119, "the stores suite's checks");

        let blob_list = include_str!("blob/mod.rs");
        let blob_checks = checks_in(include_str!("blob/suite.rs"), "<H: BlobHarness>(h: &H)");
        assert_eq!(blob_checks.len(), 8, "the blob suite's checks");
        for name in blob_checks {
            assert!(
                blob_list.contains(&format!("            {name},")),
                "blob check {name} is missing from blob_suite!"
            );
        }
    }

    /// The names of the `pub async fn`s of `source` whose signature goes on with `signature`.
    fn checks_in<'a>(source: &'a str, signature: &str) -> Vec<&'a str> {
        source
            .split("pub async fn ")
            .skip(1)
            .filter_map(|rest| {
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
                rest[end..].starts_with(signature).then(|| &rest[..end])
            })
            .collect()
    }
}
