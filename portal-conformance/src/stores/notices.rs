//! Outbox rows that announce more than an edit: deadlines and security notices.

use portal_core::model::{ApprovalRequest, InvoiceInput, OutboxEvent};
use portal_core::state::{DeliverableStatus, InvoiceStatus};
use portal_core::{BuiltinRole, Currency, Money, TenantScope};
use portal_storage::{Page, Stores};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{client, ctx, member, tenant, work};

/// The tenant's outbox rows of `kind` (other tests share a PostgreSQL database: only this
/// tenant's rows count).
async fn rows(stores: &Stores, scope: &TenantScope, kind: &str) -> Vec<OutboxEvent> {
    stores
        .outbox
        .list_outbox(scope, Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|event| event.kind == kind)
        .collect()
}

fn invoice(client: portal_core::ClientId, number: &str, due_in_days: i64) -> InvoiceInput {
    InvoiceInput {
        client,
        project: None,
        number: number.into(),
        amount: Money::new(50_000, Currency::parse("EUR").unwrap()),
        status: InvoiceStatus::Open,
        issued_on: None,
        due_on: Some((OffsetDateTime::now_utc() + Duration::days(due_in_days)).date()),
        payment_url: None,
        internal_note: None,
        external_id: None,
    }
}

pub async fn deadlines_are_announced_once(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let client = client(stores, &admin, "Client").await;
    let work = work(stores, &admin, client, "d").await;
    stores
        .deliverables
        .move_deliverable(
            &admin,
            work.deliverable,
            DeliverableStatus::InProgress,
            &ctx(),
        )
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let soon = stores
        .approvals
        .request_approval(
            &admin,
            ApprovalRequest {
                deliverable: Some(work.deliverable),
                document_version: work.version,
                message: "Due tomorrow morning".into(),
                due_at: Some(now + Duration::hours(20)),
            },
            &ctx(),
        )
        .await
        .unwrap();
    let overdue = stores
        .invoices
        .create_invoice(&admin, invoice(client, "D-1", -2), &ctx())
        .await
        .unwrap();
    let not_yet = stores
        .invoices
        .create_invoice(&admin, invoice(client, "D-2", 3), &ctx())
        .await
        .unwrap();

    // A day ahead: the approval is due soon, one invoice is overdue.
    let written = stores
        .outbox
        .announce_deadlines(now, Duration::days(1))
        .await
        .unwrap();
    assert!(written >= 2, "wrote {written}");
    let due_soon = rows(stores, &admin, "approval.due_soon").await;
    assert_eq!(due_soon.len(), 1);
    assert_eq!(due_soon[0].payload["approval"], serde_json::json!(soon.id));
    let overdue_rows = rows(stores, &admin, "invoice.overdue").await;
    assert_eq!(overdue_rows.len(), 1);
    assert_eq!(
        overdue_rows[0].payload["invoice"],
        serde_json::json!(overdue.id)
    );
    assert_ne!(
        overdue_rows[0].payload["invoice"],
        serde_json::json!(not_yet.id)
    );

    // Again, later: nothing twice.
    stores
        .outbox
        .announce_deadlines(now + Duration::hours(1), Duration::days(1))
        .await
        .unwrap();
    assert_eq!(rows(stores, &admin, "approval.due_soon").await.len(), 1);
    assert_eq!(rows(stores, &admin, "invoice.overdue").await.len(), 1);

    // Four days on, the second invoice is overdue too.
    stores
        .outbox
        .announce_deadlines(now + Duration::days(4), Duration::days(1))
        .await
        .unwrap();
    assert_eq!(rows(stores, &admin, "invoice.overdue").await.len(), 2);
}

/// A new password tells its owner (an outbox row in the change's transaction); a stronger hash
/// of the same password, found at login, is no change and tells nobody.
pub async fn security_notices_follow_real_changes(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (user, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let identities = &stores.identities;
    identities
        .set_password_hash(acme.id, user, "$argon2id$v=19$first".into())
        .await
        .unwrap();
    let notices = rows(stores, &admin, "security.password_changed").await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].payload["user"], serde_json::json!(user));

    identities
        .rehash_password(acme.id, user, "$argon2id$v=19$stronger".into())
        .await
        .unwrap();
    assert_eq!(
        rows(stores, &admin, "security.password_changed")
            .await
            .len(),
        1
    );
    let email = identities.user(&system, user).await.unwrap().unwrap().email;
    let stored = identities
        .credentials_by_email(acme.id, &email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.password_hash.as_deref(),
        Some("$argon2id$v=19$stronger")
    );
    let missing = identities
        .rehash_password(
            acme.id,
            portal_core::UserId::new(),
            "$argon2id$v=19$x".into(),
        )
        .await;
    assert!(matches!(missing, Err(portal_storage::StoreError::NotFound)));
}
