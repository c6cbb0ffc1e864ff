//! Personal facts in the audit log (SEC-40/41): the email of a failed login is kept apart from
//! the details, under the event's erasable commitment. The API, the export (CSV and JSON Lines)
//! and the audit page show it while it is there and "erased" once it is erased — and the
//! chain still verifies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]
#![cfg(feature = "pages")]

mod pages_support;
mod support;

use pages_support::{get, sign_in};
use portal_core::{BuiltinRole, TenantScope};
use portal_storage::PersonalFactsOf;
use serde_json::json;
use support::{Portal, staff};

/// An email that must vanish once erased.
const CANARY: &str = "canary-person@acme.test";

#[tokio::test]
async fn a_failed_logins_email_is_shown_until_erased_and_the_chain_still_verifies() {
    let portal = Portal::new().await;
    let person = staff(&portal.stores, portal.acme, CANARY, BuiltinRole::Member).await;
    let failed = portal
        .post(
            "/acme/api/v1/auth/login",
            json!({ "email": CANARY, "password": "not the password at all" }),
            None,
        )
        .await;
    assert_eq!(failed.status, 401);
    let owner = portal.login("acme", "ada@acme.test").await;
    let listed = |cookie: String| {
        let portal = &portal;
        async move {
            let reply = portal
                .get("/acme/api/v1/audit?action=login.failed", Some(&cookie))
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            reply.json()["items"][0].clone()
        }
    };
    let event = listed(owner.clone()).await;
    assert_eq!(event["personal"], json!({ "email": CANARY }), "{event}");
    assert_eq!(event["subject_id"], person.to_string());
    assert_eq!(
        event["details"].get("email"),
        None,
        "no email in the details"
    );
    assert_eq!(
        (&event["erased"], &event["hash_version"]),
        (&json!(false), &json!(2))
    );
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/audit?action=login.failed", &jar, None).await;
    assert!(page.text.contains(CANARY), "{}", page.text);

    let system = TenantScope::dangerous_system(portal.acme);
    let erasure = portal
        .stores
        .audit
        .erase_personal_facts(
            &system,
            &PersonalFactsOf {
                users: vec![person],
                ..PersonalFactsOf::default()
            },
        )
        .await
        .unwrap();
    assert!(erasure.erased >= 1, "{erasure:?}");

    let event = listed(owner.clone()).await;
    assert_eq!(
        (&event["erased"], &event["personal"], &event["ip"]),
        (&json!(true), &json!(null), &json!(null))
    );
    let csv = portal
        .get(
            "/acme/api/v1/audit/export?format=csv&action=login.failed",
            Some(&owner),
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.text.contains(",erased,"), "{}", csv.text);
    let jsonl = portal
        .get("/acme/api/v1/audit/export?format=jsonl", Some(&owner))
        .await;
    assert!(jsonl.text.contains("\"erased\":true"), "{}", jsonl.text);
    let page = get(&portal, "/acme/admin/audit?action=login.failed", &jar, None).await;
    assert!(page.text.contains("Erased"), "{}", page.text);
    // The person is still a user (only the audit facts were erased): the actor filter may name
    // them, the events may not.
    let table = page.text.split("audit-table").nth(1).unwrap();
    for answer in [csv.text.as_str(), jsonl.text.as_str(), table] {
        assert!(!answer.contains(CANARY), "{answer}");
    }
    let report = portal.stores.audit.verify_chain(&system).await.unwrap();
    assert_eq!(report.broken, None, "the chain verifies after erasure");
}
