use portal_core::model::{Actor, AuditContext, ChainBreak, NewAuditEvent, ObjectRef, OutboxStatus};
use portal_core::{BuiltinRole, TenantScope, Visibility};
use portal_storage::{AuditFilter, Page, StoreError};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{client, ctx, member, project_input, tenant};

pub async fn writes_are_audited_and_the_chain_verifies(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (user, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let client = client(stores, &owner, "Client").await;
    let project = stores
        .projects
        .create_project(&owner, project_input(client, "P"), &ctx())
        .await
        .unwrap();
    let context = AuditContext {
        ip: Some("203.0.113.9".parse().unwrap()),
    };
    stores
        .projects
        .set_project_visibility(&owner, project.id, Visibility::Shared, &context)
        .await
        .unwrap();
    let explicit = stores
        .audit
        .append(
            &owner,
            NewAuditEvent::by(
                &owner,
                "data.exported",
                Some(ObjectRef {
                    kind: "client".into(),
                    id: *client.as_uuid(),
                }),
            )
            .with_details(serde_json::json!({ "format": "zip" })),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(explicit.actor, Actor::User(user));
    let events = stores
        .audit
        .list_events(&owner, AuditFilter::default(), Page::first(200).unwrap())
        .await
        .unwrap();
    assert_eq!(events.items[0].id, explicit.id, "newest first");
    let published = events
        .items
        .iter()
        .find(|e| e.action == "object.published")
        .unwrap();
    assert_eq!(published.ip, context.ip);
    assert_eq!(published.object.as_ref().unwrap().id, *project.id.as_uuid());
    let seqs: Vec<i64> = events.items.iter().rev().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "one gapless chain"
    );
    let only_published = stores
        .audit
        .list_events(
            &owner,
            AuditFilter {
                action: Some("object.published".into()),
                ..Default::default()
            },
            Page::first(50).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(only_published.items.len(), 1);
    let future = stores
        .audit
        .list_events(
            &owner,
            AuditFilter {
                from: Some(OffsetDateTime::now_utc() + Duration::hours(1)),
                ..Default::default()
            },
            Page::first(50).unwrap(),
        )
        .await
        .unwrap();
    assert!(future.items.is_empty());
    let report = stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.verified, seqs.len() as u64);
}

async fn chained_tenant(h: &Harness) -> (TenantScope, i64) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    for i in 0..5 {
        client(stores, &owner, &format!("Client {i}")).await;
    }
    let report = stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(report.broken, None);
    (owner, report.verified as i64)
}

pub async fn a_changed_event_breaks_the_chain(h: &Harness) {
    let (owner, _) = chained_tenant(h).await;
    h.tamper.alter_event(owner.tenant_id(), 3).await;
    let report = h.stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(report.broken, Some(ChainBreak::Altered { seq: 3 }));
    assert_eq!(report.verified, 2);
}

pub async fn a_removed_event_breaks_the_chain(h: &Harness) {
    let (owner, total) = chained_tenant(h).await;
    h.tamper.remove_event(owner.tenant_id(), 4).await;
    let report = h.stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(report.broken, Some(ChainBreak::Unlinked { seq: 5 }));
    assert!(report.verified < total as u64);
}

/// A tenant whose chain ends with an event holding an address and an email about a user;
/// its owner and that event's place.
async fn personal_event(h: &Harness) -> (TenantScope, i64) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (user, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let event = NewAuditEvent::by(&owner, "login.failed", None)
        .with_personal(serde_json::json!({ "email": "ada@example.com" }))
        .about(user);
    let context = AuditContext {
        ip: Some("203.0.113.9".parse().unwrap()),
    };
    let appended = stores.audit.append(&owner, event, &context).await.unwrap();
    (owner, appended.seq)
}

pub async fn changed_personal_facts_break_the_chain(h: &Harness) {
    let (owner, seq) = personal_event(h).await;
    assert_eq!(
        h.stores.audit.verify_chain(&owner).await.unwrap().broken,
        None
    );
    h.tamper.alter_personal_facts(owner.tenant_id(), seq).await;
    let report = h.stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(report.broken, Some(ChainBreak::Altered { seq }));
    assert_eq!(report.verified, u64::try_from(seq - 1).unwrap());
}

pub async fn a_half_erased_event_breaks_the_chain(h: &Harness) {
    let (owner, seq) = personal_event(h).await;
    h.tamper.erase_partially(owner.tenant_id(), seq).await;
    let report = h.stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(report.broken, Some(ChainBreak::Altered { seq }));
}

pub async fn erasing_personal_facts_keeps_the_chain_verifiable(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let globex = tenant(stores, "Globex").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let (_, foreign_owner) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;
    let client = client(stores, &owner, "Client").await;
    let (person, by_person) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[client]).await;
    let invitation = portal_core::InvitationId::new();
    let context = AuditContext {
        ip: Some("203.0.113.9".parse().unwrap()),
    };
    let email = portal_core::Email::parse("erase.me@example.com").unwrap();
    let appended = [
        NewAuditEvent::by(&by_person, "message.posted", None),
        NewAuditEvent::by(&owner, "login.failed", None)
            .with_personal(serde_json::json!({ "email": email.as_str() }))
            .about(person),
        NewAuditEvent::by(
            &owner,
            "invitation.created",
            Some(ObjectRef {
                kind: "invitation".into(),
                id: *invitation.as_uuid(),
            }),
        )
        .with_personal(serde_json::json!({ "email": "invited@example.com" })),
        // A throttled login: nobody known, only the email.
        NewAuditEvent::by(&owner, "login.throttled", None)
            .with_personal(serde_json::json!({ "email": email.as_str() })),
    ];
    let mut seqs = Vec::new();
    for event in appended {
        seqs.push(
            stores
                .audit
                .append(&owner, event, &context)
                .await
                .unwrap()
                .seq,
        );
    }
    let kept = stores
        .audit
        .append(
            &owner,
            NewAuditEvent::by(&owner, "project.created", None),
            &context,
        )
        .await
        .unwrap();
    let of = portal_storage::PersonalFactsOf {
        users: vec![person],
        invitations: vec![invitation],
        emails: vec![email],
    };

    for refused in [&admin, &by_person] {
        let result = stores.audit.erase_personal_facts(refused, &of).await;
        assert!(
            matches!(result, Err(StoreError::Forbidden(_))),
            "{result:?}"
        );
    }
    let foreign = stores
        .audit
        .erase_personal_facts(&foreign_owner, &of)
        .await
        .unwrap();
    assert_eq!(
        foreign.erased, 0,
        "another tenant's events are out of reach"
    );

    let erasure = stores
        .audit
        .erase_personal_facts(&owner, &of)
        .await
        .unwrap();
    assert!(erasure.erased >= 4, "{erasure:?}");
    assert_eq!(erasure.version_1_kept, 0);
    let events = stores
        .audit
        .list_events(&owner, AuditFilter::default(), Page::first(100).unwrap())
        .await
        .unwrap()
        .items;
    for seq in &seqs {
        let event = events.iter().find(|event| event.seq == *seq).unwrap();
        assert!(event.is_erased(), "event {seq} is erased");
        assert_eq!(
            (event.ip, &event.personal, event.personal_salt),
            (None, &None, None)
        );
        assert!(event.personal_digest.is_some(), "the commitment stays");
    }
    let untouched = events.iter().find(|event| event.seq == kept.seq).unwrap();
    assert_eq!(untouched.ip, context.ip, "others' events keep their facts");
    assert!(!untouched.is_erased());
    let report = stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(report.broken, None, "the chain still verifies");
    assert_eq!(report.verified, u64::try_from(kept.seq).unwrap());

    let again = stores
        .audit
        .erase_personal_facts(&owner, &of)
        .await
        .unwrap();
    assert_eq!(
        again.erased, 0,
        "events already erased are not counted again"
    );
}

pub async fn the_audit_log_needs_its_permission(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let client = client(stores, &admin, "Client").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[client]).await;
    for scope in [&manager, &contact] {
        let refused = stores
            .audit
            .list_events(scope, AuditFilter::default(), Page::first(10).unwrap())
            .await;
        assert!(
            matches!(refused, Err(StoreError::Forbidden(_))),
            "{refused:?}"
        );
        let verify = stores.audit.verify_chain(scope).await;
        assert!(
            matches!(verify, Err(StoreError::Forbidden(_))),
            "{verify:?}"
        );
    }
}

pub async fn outbox_rows_are_claimed_once(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let client = client(stores, &owner, "Client").await;
    let project = stores
        .projects
        .create_project(&owner, project_input(client, "P"), &ctx())
        .await
        .unwrap();
    stores
        .projects
        .set_project_visibility(&owner, project.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let explicit = stores
        .outbox
        .enqueue(&owner, "test.ping", serde_json::json!({ "n": 1 }))
        .await
        .unwrap();
    let rows = stores
        .outbox
        .list_outbox(&owner, Page::first(50).unwrap())
        .await
        .unwrap();
    assert!(
        rows.items.iter().any(|row| row.kind == "object.published"),
        "publishing writes an outbox row"
    );
    assert!(rows.items.iter().all(|row| row.tenant == acme.id));

    // Other tests share the database: look only at this tenant's rows among the claimed ones.
    let now = OffsetDateTime::now_utc() + Duration::seconds(1);
    let lease = Duration::minutes(5);
    let mut claimed = Vec::new();
    loop {
        let batch = stores.outbox.claim_due(now, 200, lease).await.unwrap();
        if batch.is_empty() {
            break;
        }
        claimed.extend(batch.into_iter().filter(|row| row.tenant == acme.id));
    }
    assert_eq!(
        claimed.len(),
        rows.items.len(),
        "every due row of the tenant is claimed once"
    );
    assert!(
        stores
            .outbox
            .claim_due(now, 200, lease)
            .await
            .unwrap()
            .iter()
            .all(|row| row.tenant != acme.id),
        "a claimed row is leased"
    );
    stores.outbox.mark_delivered(explicit.id).await.unwrap();
    let published = claimed
        .iter()
        .find(|row| row.kind == "object.published")
        .unwrap();
    stores
        .outbox
        .mark_failed(
            published.id,
            "receiver said 503",
            Some(now + lease + Duration::minutes(1)),
        )
        .await
        .unwrap();
    // Other tests' rows fall due too: claim until this one comes back.
    let mut again = None;
    while again.is_none() {
        let retry = stores
            .outbox
            .claim_due(now + lease + Duration::minutes(2), 200, lease)
            .await
            .unwrap();
        assert!(!retry.is_empty(), "the failed row is claimed again");
        again = retry.into_iter().find(|row| row.id == published.id);
    }
    let again = again.unwrap();
    assert_eq!(again.attempts, 1);
    assert_eq!(again.last_error.as_deref(), Some("receiver said 503"));
    stores
        .outbox
        .mark_failed(published.id, "gave up", None)
        .await
        .unwrap();
    let rows = stores
        .outbox
        .list_outbox(&owner, Page::first(50).unwrap())
        .await
        .unwrap();
    let statuses: Vec<_> = rows.items.iter().map(|row| (row.id, row.status)).collect();
    assert!(statuses.contains(&(explicit.id, OutboxStatus::Delivered)));
    assert!(statuses.contains(&(published.id, OutboxStatus::Dead)));
}
