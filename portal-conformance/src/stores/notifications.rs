//! Notifications, mail preferences and webhooks: the dispatcher records and queues with a
//! system scope, people read and mark only their own, integrations are for those who may manage
//! them, and claims hand each due row to one dispatcher at a time under a lease.
//!
//! Claims are global and tests may share a database: each test looks only at its own tenant's
//! rows among the claimed ones, and only the two claim tests claim at all.

use portal_core::model::{
    DeliveryStatus, EventType, MailMode, MailPreference, MailState, NewNotification, Notification,
    ObjectRef, OutboxEvent, OutboxStatus, WebhookDelivery, WebhookEndpointInput,
};
use portal_core::{BuiltinRole, NotificationId, OutboxEventId, TenantScope, UserId};
use portal_storage::{
    AttemptRecord, AuditFilter, DeliveryRequest, DueDelivery, MailBatch, Page, StoreError,
    StoreResult, Stores,
};
use time::{Duration, OffsetDateTime};
use url::Url;

use crate::Harness;
use crate::stores::fixtures::{
    assert_conflict, assert_forbidden, assert_invalid, assert_not_found, client, ctx, member,
    tenant,
};

const LEASE: Duration = Duration::minutes(5);

/// A notification for `user` of a fresh event, about a deliverable called `title`.
fn note(user: UserId, event_type: EventType, title: &str, mail: MailState) -> NewNotification {
    NewNotification {
        user,
        event: OutboxEventId::new(),
        event_type,
        object: ObjectRef {
            kind: "deliverable".into(),
            id: uuid::Uuid::now_v7(),
        },
        client: None,
        project: None,
        title: title.into(),
        mail,
        occurred_at: OffsetDateTime::now_utc(),
    }
}

fn first(limit: u32) -> Page {
    Page::first(limit).unwrap()
}

/// All of `scope`'s person's notifications, newest first.
async fn all_of(stores: &Stores, scope: &TenantScope) -> Vec<Notification> {
    stores
        .notifications
        .list_notifications(scope, false, first(200))
        .await
        .unwrap()
        .items
}

/// A refusal of a scope without the permission: `Forbidden`, or `NotFound` where the scope may
/// not even know of the settings.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: &StoreResult<T>) {
    assert!(
        matches!(result, Err(StoreError::Forbidden(_) | StoreError::NotFound)),
        "{result:?}"
    );
}

pub async fn recording_is_for_the_dispatcher_and_idempotent(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let (staff, staff_scope) = member(stores, acme.id, BuiltinRole::Member, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let first_note = note(staff, EventType::MessagePosted, "Hello", MailState::Instant);

    assert_forbidden(
        &stores
            .notifications
            .record_notifications(&owner, vec![first_note.clone()])
            .await,
    );
    assert!(all_of(stores, &staff_scope).await.is_empty());

    let second_note = note(staff, EventType::DocumentShared, "Plan", MailState::None);
    let added = stores
        .notifications
        .record_notifications(&system, vec![first_note.clone(), second_note.clone()])
        .await
        .unwrap();
    assert_eq!(added, 2);
    // A retried event adds nothing; a new one in the same batch still lands.
    let third_note = note(
        staff,
        EventType::ApprovalRequested,
        "Logo",
        MailState::Digest,
    );
    let added = stores
        .notifications
        .record_notifications(&system, vec![first_note.clone(), third_note])
        .await
        .unwrap();
    assert_eq!(added, 1, "one person hears of one event once");
    let mine = all_of(stores, &staff_scope).await;
    assert_eq!(mine.len(), 3);
    let stored = mine.iter().find(|n| n.event == first_note.event).unwrap();
    assert_eq!(stored.user, staff);
    assert_eq!(stored.tenant, acme.id);
    assert_eq!(stored.event_type, EventType::MessagePosted);
    assert_eq!(stored.title, "Hello");
    assert_eq!(stored.object, first_note.object);
    assert_eq!(stored.mail, MailState::Instant);
    assert_eq!(stored.mail_attempts, 0);
    assert_eq!(stored.read_at, None);

    // The same event may reach another person.
    let (other, other_scope) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let mut for_other = first_note.clone();
    for_other.user = other;
    assert_eq!(
        stores
            .notifications
            .record_notifications(&system, vec![for_other])
            .await
            .unwrap(),
        1
    );
    assert_eq!(all_of(stores, &other_scope).await.len(), 1);

    // Nobody outside the tenant can be notified through it.
    let globex = tenant(stores, "Globex").await;
    let (stranger, _) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;
    assert_invalid(
        &stores
            .notifications
            .record_notifications(
                &system,
                vec![note(
                    stranger,
                    EventType::MessagePosted,
                    "x",
                    MailState::None,
                )],
            )
            .await,
        Some("user"),
    );
}

pub async fn people_list_count_and_mark_only_their_own(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let a = client(stores, &owner, "A").await;
    let (contact, contact_scope) = member(stores, acme.id, BuiltinRole::Viewer, &[a]).await;
    let (staff, staff_scope) = member(stores, acme.id, BuiltinRole::Member, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let notes: Vec<NewNotification> = (0..5)
        .map(|n| {
            note(
                contact,
                EventType::UpdatePublished,
                &format!("Update {n}"),
                MailState::None,
            )
        })
        .chain([note(
            staff,
            EventType::RequestSubmitted,
            "Ask",
            MailState::None,
        )])
        .collect();
    stores
        .notifications
        .record_notifications(&system, notes)
        .await
        .unwrap();

    // Newest first, in pages.
    let page = stores
        .notifications
        .list_notifications(&contact_scope, false, first(2))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0].id > page.items[1].id, "newest first");
    assert!(page.next.is_some());
    let mut seen = page.items.clone();
    let mut cursor = page.next;
    while let Some(next) = cursor {
        let page = stores
            .notifications
            .list_notifications(&contact_scope, false, first(2).after(Some(next)))
            .await
            .unwrap();
        seen.extend(page.items);
        cursor = page.next;
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|pair| pair[0].id > pair[1].id));
    assert!(seen.iter().all(|n| n.user == contact));
    assert_eq!(
        stores
            .notifications
            .unread_notifications(&contact_scope)
            .await
            .unwrap(),
        5
    );

    // Marking: another person's id is ignored, a repeat changes nothing.
    let staff_note = all_of(stores, &staff_scope).await[0].id;
    let at = OffsetDateTime::now_utc();
    let marked = stores
        .notifications
        .mark_notifications_read(&contact_scope, Some(vec![seen[0].id, staff_note]), at)
        .await
        .unwrap();
    assert_eq!(marked, 1);
    assert_eq!(
        stores
            .notifications
            .mark_notifications_read(&contact_scope, Some(vec![seen[0].id]), at)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        stores
            .notifications
            .unread_notifications(&staff_scope)
            .await
            .unwrap(),
        1,
        "the staff member's notification is still unread"
    );
    let unread = stores
        .notifications
        .list_notifications(&contact_scope, true, first(50))
        .await
        .unwrap()
        .items;
    assert_eq!(unread.len(), 4);
    assert!(
        unread
            .iter()
            .all(|n| n.read_at.is_none() && n.id != seen[0].id)
    );
    let read = all_of(stores, &contact_scope)
        .await
        .into_iter()
        .find(|n| n.id == seen[0].id)
        .unwrap();
    assert!(read.read_at.is_some());
    assert_eq!(
        stores
            .notifications
            .mark_notifications_read(&contact_scope, Some(Vec::new()), at)
            .await
            .unwrap(),
        0
    );

    // All of them at once.
    assert_eq!(
        stores
            .notifications
            .mark_notifications_read(&contact_scope, None, at)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        stores
            .notifications
            .unread_notifications(&contact_scope)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        stores
            .notifications
            .unread_notifications(&staff_scope)
            .await
            .unwrap(),
        1
    );

    // Another tenant's people see nothing and change nothing.
    let globex = tenant(stores, "Globex").await;
    let (_, stranger) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;
    assert!(all_of(stores, &stranger).await.is_empty());
    assert_eq!(
        stores
            .notifications
            .mark_notifications_read(&stranger, Some(vec![staff_note]), at)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        stores
            .notifications
            .unread_notifications(&staff_scope)
            .await
            .unwrap(),
        1
    );
}

pub async fn mail_preferences_are_the_persons_own(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (owner_id, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let (staff, staff_scope) = member(stores, acme.id, BuiltinRole::Member, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let prefs = &stores.notifications;

    assert!(
        prefs
            .mail_preferences(&staff_scope, staff)
            .await
            .unwrap()
            .is_empty()
    );
    let set = prefs
        .set_mail_preference(&staff_scope, staff, EventType::MessagePosted, MailMode::Off)
        .await
        .unwrap();
    assert_eq!(
        set,
        MailPreference {
            event_type: EventType::MessagePosted,
            mail: MailMode::Off
        }
    );
    // The one-click link acts with a system scope.
    prefs
        .set_mail_preference(
            &system,
            staff,
            EventType::ApprovalRequested,
            MailMode::Digest,
        )
        .await
        .unwrap();
    // A second choice for a type replaces the first.
    prefs
        .set_mail_preference(
            &staff_scope,
            staff,
            EventType::MessagePosted,
            MailMode::Instant,
        )
        .await
        .unwrap();
    let chosen = prefs.mail_preferences(&system, staff).await.unwrap();
    let mut expected = vec![
        MailPreference {
            event_type: EventType::MessagePosted,
            mail: MailMode::Instant,
        },
        MailPreference {
            event_type: EventType::ApprovalRequested,
            mail: MailMode::Digest,
        },
    ];
    expected.sort_by_key(|preference| preference.event_type);
    assert_eq!(chosen, expected);
    assert_eq!(
        prefs.mail_preferences(&staff_scope, staff).await.unwrap(),
        expected
    );

    // Not even the owner reads or sets another person's choices.
    assert_not_found(&prefs.mail_preferences(&owner, staff).await);
    assert_not_found(
        &prefs
            .set_mail_preference(&owner, staff, EventType::MessagePosted, MailMode::Off)
            .await,
    );
    assert!(
        prefs
            .mail_preferences(&owner, owner_id)
            .await
            .unwrap()
            .is_empty()
    );

    // Another tenant's system scope does not reach this tenant's people.
    let globex = tenant(stores, "Globex").await;
    let foreign_system = TenantScope::dangerous_system(globex.id);
    assert_not_found(&prefs.mail_preferences(&foreign_system, staff).await);
    assert_not_found(
        &prefs
            .set_mail_preference(
                &foreign_system,
                staff,
                EventType::MessagePosted,
                MailMode::Off,
            )
            .await,
    );
    assert_eq!(
        prefs.mail_preferences(&system, staff).await.unwrap(),
        expected
    );
}

/// Claims `batch` at `now` until nothing is left, keeping only `tenant`'s notifications.
async fn claim_mail_of(
    stores: &Stores,
    tenant: portal_core::TenantId,
    batch: MailBatch,
    now: OffsetDateTime,
) -> Vec<Notification> {
    let mut mine = Vec::new();
    loop {
        let claimed = stores
            .notifications
            .claim_mail(batch, now, 200, LEASE)
            .await
            .unwrap();
        if claimed.is_empty() {
            return mine;
        }
        assert!(
            claimed.windows(2).all(|pair| pair[0].id < pair[1].id),
            "oldest first"
        );
        mine.extend(claimed.into_iter().filter(|n| n.tenant == tenant));
    }
}

fn ids(notifications: &[Notification]) -> Vec<NotificationId> {
    notifications.iter().map(|n| n.id).collect()
}

pub async fn mail_is_claimed_under_a_lease(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (staff, staff_scope) = member(stores, acme.id, BuiltinRole::Member, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let t0 = OffsetDateTime::now_utc() + Duration::seconds(1);
    let instant_a = note(staff, EventType::MessagePosted, "a", MailState::Instant);
    let instant_b = note(staff, EventType::MessagePosted, "b", MailState::Instant);
    let mut digest_old = note(staff, EventType::UpdatePublished, "old", MailState::Digest);
    digest_old.occurred_at = t0 - Duration::hours(2);
    let mut digest_new = note(staff, EventType::UpdatePublished, "new", MailState::Digest);
    digest_new.occurred_at = t0 - Duration::minutes(30);
    let no_mail = note(staff, EventType::MessagePosted, "quiet", MailState::None);
    stores
        .notifications
        .record_notifications(
            &system,
            vec![
                instant_a.clone(),
                instant_b.clone(),
                digest_old.clone(),
                digest_new.clone(),
                no_mail.clone(),
            ],
        )
        .await
        .unwrap();

    // Instant mail: each due row once, then hidden until the lease ends.
    let claimed = claim_mail_of(stores, acme.id, MailBatch::Instant, t0).await;
    let events: Vec<OutboxEventId> = claimed.iter().map(|n| n.event).collect();
    assert_eq!(
        events,
        vec![instant_a.event, instant_b.event],
        "oldest first"
    );
    assert!(
        claim_mail_of(stores, acme.id, MailBatch::Instant, t0)
            .await
            .is_empty(),
        "a claimed row is leased"
    );
    let after_lease = t0 + LEASE + Duration::seconds(1);
    let again = claim_mail_of(stores, acme.id, MailBatch::Instant, after_lease).await;
    assert_eq!(ids(&again), ids(&claimed), "a lease ends");

    // Sent, and failed with a retry.
    let (a, b) = (claimed[0].id, claimed[1].id);
    stores.notifications.mark_mail_sent(&[a]).await.unwrap();
    stores
        .notifications
        .mark_mail_failed(&[b], Some(t0 + Duration::hours(1)))
        .await
        .unwrap();
    assert!(
        claim_mail_of(
            stores,
            acme.id,
            MailBatch::Instant,
            t0 + Duration::minutes(30)
        )
        .await
        .is_empty(),
        "a failed mail waits for its retry"
    );
    let retried = claim_mail_of(stores, acme.id, MailBatch::Instant, t0 + Duration::hours(2)).await;
    assert_eq!(ids(&retried), vec![b]);
    assert_eq!(retried[0].mail_attempts, 1);
    stores
        .notifications
        .mark_mail_failed(&[b], None)
        .await
        .unwrap();
    assert!(
        claim_mail_of(stores, acme.id, MailBatch::Instant, t0 + Duration::hours(3))
            .await
            .is_empty(),
        "a mail given up on is never claimed"
    );
    let mine = all_of(stores, &staff_scope).await;
    let stored = |id: NotificationId| mine.iter().find(|n| n.id == id).unwrap().clone();
    assert_eq!(
        (stored(a).mail, stored(a).mail_attempts),
        (MailState::Sent, 1)
    );
    assert_eq!(
        (stored(b).mail, stored(b).mail_attempts),
        (MailState::Failed, 2)
    );

    // Digests take what happened before their cut-off.
    let digest = claim_mail_of(
        stores,
        acme.id,
        MailBatch::Digest {
            before: t0 - Duration::hours(1),
        },
        t0,
    )
    .await;
    let events: Vec<OutboxEventId> = digest.iter().map(|n| n.event).collect();
    assert_eq!(events, vec![digest_old.event]);
    let digest = claim_mail_of(
        stores,
        acme.id,
        MailBatch::Digest {
            before: t0 + Duration::hours(2),
        },
        t0,
    )
    .await;
    let events: Vec<OutboxEventId> = digest.iter().map(|n| n.event).collect();
    assert_eq!(events, vec![digest_new.event], "the older one is leased");

    // Dropped mail is never claimed again; nothing else changes.
    stores
        .notifications
        .drop_mail(&ids(&digest), MailState::None)
        .await
        .unwrap();
    let later = t0 + Duration::days(1);
    let digest = claim_mail_of(stores, acme.id, MailBatch::Digest { before: later }, later).await;
    let events: Vec<OutboxEventId> = digest.iter().map(|n| n.event).collect();
    assert_eq!(events, vec![digest_old.event]);
    let mine = all_of(stores, &staff_scope).await;
    let dropped = mine.iter().find(|n| n.event == digest_new.event).unwrap();
    assert_eq!((dropped.mail, dropped.mail_attempts), (MailState::None, 0));
    let quiet = mine.iter().find(|n| n.event == no_mail.event).unwrap();
    assert_eq!(quiet.mail, MailState::None);
    assert!(
        claim_mail_of(stores, acme.id, MailBatch::Instant, later)
            .await
            .iter()
            .all(|n| n.event != no_mail.event)
    );
}

fn endpoint_input(url: &str, event_types: Vec<EventType>) -> WebhookEndpointInput {
    WebhookEndpointInput {
        url: Url::parse(url).unwrap(),
        description: " CRM sync ".into(),
        event_types,
        active: true,
    }
}

fn secret(byte: u8) -> Vec<u8> {
    vec![byte; 32]
}

/// The `webhook.*` audit events of the tenant, oldest first, as `(action, change)`.
async fn webhook_audit(stores: &Stores, owner: &TenantScope) -> Vec<(String, String)> {
    let mut events: Vec<(String, String)> = stores
        .audit
        .list_events(owner, AuditFilter::default(), first(200))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|event| event.action.starts_with("webhook."))
        .map(|event| {
            let change = event.details["change"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (event.action, change)
        })
        .collect();
    events.reverse();
    events
}

pub async fn webhooks_are_managed_by_integrators(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let a = client(stores, &owner, "A").await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[a]).await;
    let hooks = &stores.webhooks;
    let input = endpoint_input(
        "https://hooks.example/portal#frag",
        vec![
            EventType::MessagePosted,
            EventType::ApprovalDecided,
            EventType::MessagePosted,
        ],
    );

    for refused in [&manager, &contact] {
        assert_refused(
            &hooks
                .create_webhook(refused, input.clone(), secret(1), &ctx())
                .await,
        );
        assert_refused(&hooks.list_webhooks(refused, first(10)).await);
    }
    // Validation names the field.
    let mut bad = input.clone();
    bad.url = Url::parse("ftp://hooks.example/").unwrap();
    assert_invalid(
        &hooks.create_webhook(&owner, bad, secret(1), &ctx()).await,
        Some("url"),
    );
    let mut bad = input.clone();
    bad.description = "x".repeat(201);
    assert_invalid(
        &hooks.create_webhook(&owner, bad, secret(1), &ctx()).await,
        Some("description"),
    );
    assert_invalid(
        &hooks
            .create_webhook(&owner, input.clone(), vec![1; 15], &ctx())
            .await,
        Some("secret"),
    );
    assert_invalid(
        &hooks
            .create_webhook(&owner, input.clone(), vec![1; 1025], &ctx())
            .await,
        Some("secret"),
    );
    assert!(
        hooks
            .list_webhooks(&owner, first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );

    let created = hooks
        .create_webhook(&owner, input.clone(), secret(1), &ctx())
        .await
        .unwrap();
    assert_eq!(created.tenant, acme.id);
    assert_eq!(created.url.as_str(), "https://hooks.example/portal");
    assert_eq!(created.description, "CRM sync");
    assert_eq!(
        created.event_types,
        vec![EventType::ApprovalDecided, EventType::MessagePosted]
    );
    assert!(created.active);
    assert_eq!(
        hooks.webhook(&admin, created.id).await.unwrap(),
        Some(created.clone())
    );
    let second = hooks
        .create_webhook(
            &admin,
            endpoint_input("https://other.example/", vec![]),
            secret(2),
            &ctx(),
        )
        .await
        .unwrap();
    let listed = hooks.list_webhooks(&owner, first(10)).await.unwrap().items;
    assert_eq!(
        listed,
        vec![created.clone(), second.clone()],
        "oldest first"
    );
    let page = hooks.list_webhooks(&owner, first(1)).await.unwrap();
    assert_eq!(page.items, vec![created.clone()]);
    let rest = hooks
        .list_webhooks(&owner, first(1).after(page.next))
        .await
        .unwrap();
    assert_eq!(rest.items, vec![second.clone()]);
    assert_eq!(rest.next, None);

    // Updates replace the writable fields; rotating keeps them.
    let mut change = endpoint_input("https://hooks.example/v2", vec![EventType::InvoiceIssued]);
    change.active = false;
    let updated = hooks
        .update_webhook(&owner, created.id, change.clone(), &ctx())
        .await
        .unwrap();
    assert_eq!(updated.url.as_str(), "https://hooks.example/v2");
    assert_eq!(updated.event_types, vec![EventType::InvoiceIssued]);
    assert!(!updated.active);
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at >= created.updated_at);
    assert_eq!(
        hooks.webhook(&owner, created.id).await.unwrap(),
        Some(updated.clone())
    );
    let mut bad = change.clone();
    bad.url = Url::parse("https://user:pw@hooks.example/").unwrap();
    assert_invalid(
        &hooks.update_webhook(&owner, created.id, bad, &ctx()).await,
        Some("url"),
    );
    assert_refused(
        &hooks
            .update_webhook(&manager, created.id, change.clone(), &ctx())
            .await,
    );
    assert_invalid(
        &hooks
            .rotate_webhook_secret(&owner, created.id, vec![2; 3], &ctx())
            .await,
        Some("secret"),
    );
    let rotated = hooks
        .rotate_webhook_secret(&owner, created.id, secret(9), &ctx())
        .await
        .unwrap();
    assert_eq!(rotated.url, updated.url);
    assert_eq!(rotated.event_types, updated.event_types);

    // Another tenant sees and changes nothing.
    let globex = tenant(stores, "Globex").await;
    let (_, stranger) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;
    assert!(
        hooks
            .list_webhooks(&stranger, first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(hooks.webhook(&stranger, created.id).await.unwrap(), None);
    assert_not_found(
        &hooks
            .update_webhook(&stranger, created.id, change.clone(), &ctx())
            .await,
    );
    assert_not_found(
        &hooks
            .rotate_webhook_secret(&stranger, created.id, secret(3), &ctx())
            .await,
    );
    assert_not_found(&hooks.delete_webhook(&stranger, created.id, &ctx()).await);

    // Deleted endpoints are gone from the settings.
    hooks
        .delete_webhook(&owner, created.id, &ctx())
        .await
        .unwrap();
    assert_eq!(hooks.webhook(&owner, created.id).await.unwrap(), None);
    assert_eq!(
        hooks.list_webhooks(&owner, first(10)).await.unwrap().items,
        vec![second]
    );
    assert_not_found(
        &hooks
            .update_webhook(&owner, created.id, change, &ctx())
            .await,
    );
    assert_not_found(&hooks.delete_webhook(&owner, created.id, &ctx()).await);

    let audited = webhook_audit(stores, &owner).await;
    let changes: Vec<&str> = audited.iter().map(|(_, change)| change.as_str()).collect();
    assert_eq!(
        changes,
        vec!["created", "created", "updated", "secret_rotated", "deleted"]
    );
    assert!(
        audited
            .iter()
            .all(|(action, _)| action == "webhook.changed")
    );
}

/// An outbox event of the tenant of `scope`, as the dispatcher holds it. It is not written to
/// the outbox: other tests claim outbox rows, and deliveries name their event by id only.
fn outbox_event(scope: &TenantScope) -> OutboxEvent {
    let now = OffsetDateTime::now_utc();
    OutboxEvent {
        id: OutboxEventId::new(),
        tenant: scope.tenant_id(),
        kind: "approval.decided".into(),
        payload: serde_json::json!({ "n": 1 }),
        status: OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        created_at: now,
    }
}

pub async fn deliveries_are_queued_for_wanting_endpoints(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let hooks = &stores.webhooks;
    let every = hooks
        .create_webhook(
            &owner,
            endpoint_input("https://all.example/", vec![]),
            secret(1),
            &ctx(),
        )
        .await
        .unwrap();
    let decisions = hooks
        .create_webhook(
            &owner,
            endpoint_input(
                "https://decisions.example/",
                vec![EventType::ApprovalDecided],
            ),
            secret(2),
            &ctx(),
        )
        .await
        .unwrap();
    let mut paused = endpoint_input("https://paused.example/", vec![]);
    paused.active = false;
    hooks
        .create_webhook(&owner, paused, secret(3), &ctx())
        .await
        .unwrap();
    let deleted = hooks
        .create_webhook(
            &owner,
            endpoint_input("https://gone.example/", vec![]),
            secret(4),
            &ctx(),
        )
        .await
        .unwrap();
    hooks
        .delete_webhook(&owner, deleted.id, &ctx())
        .await
        .unwrap();

    let decided = outbox_event(&owner);
    assert_forbidden(
        &hooks
            .queue_deliveries(&owner, request(&decided, EventType::ApprovalDecided, "{}"))
            .await,
    );
    let body = r#"{"type":"approval.decided"}"#;
    assert_eq!(
        hooks
            .queue_deliveries(&system, request(&decided, EventType::ApprovalDecided, body))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        hooks
            .queue_deliveries(&system, request(&decided, EventType::ApprovalDecided, body))
            .await
            .unwrap(),
        0,
        "a retried event queues nothing twice"
    );
    let posted = outbox_event(&owner);
    assert_eq!(
        hooks
            .queue_deliveries(&system, request(&posted, EventType::MessagePosted, "{}"))
            .await
            .unwrap(),
        1,
        "only the endpoint without a filter wants it"
    );
    // Another tenant's dispatcher cannot queue this tenant's event.
    let globex = tenant(stores, "Globex").await;
    assert_not_found(
        &hooks
            .queue_deliveries(
                &TenantScope::dangerous_system(globex.id),
                request(&posted, EventType::MessagePosted, "{}"),
            )
            .await,
    );

    let all = hooks
        .list_deliveries(&owner, None, first(50))
        .await
        .unwrap()
        .items;
    assert_eq!(all.len(), 3);
    assert!(
        all.windows(2).all(|pair| pair[0].id > pair[1].id),
        "newest first"
    );
    assert_eq!(all[0].event, posted.id);
    assert_eq!(all[0].endpoint, every.id);
    let to_decisions = hooks
        .list_deliveries(&owner, Some(decisions.id), first(50))
        .await
        .unwrap()
        .items;
    assert_eq!(to_decisions.len(), 1);
    let delivery = &to_decisions[0];
    assert_eq!(delivery.event, decided.id);
    assert_eq!(delivery.event_type, EventType::ApprovalDecided);
    assert_eq!(delivery.body, body);
    assert_eq!(delivery.status, DeliveryStatus::Pending);
    assert_eq!(delivery.attempts, 0);
    assert_eq!(delivery.tenant, acme.id);
    let (fetched, attempts) = hooks.delivery(&owner, delivery.id).await.unwrap().unwrap();
    // Other checks' dispatchers claim due deliveries of every tenant (a global call) in a shared
    // database; a lease moves only the next attempt, so that one field may differ.
    assert_eq!(
        WebhookDelivery {
            next_attempt_at: delivery.next_attempt_at,
            ..fetched
        },
        *delivery
    );
    assert!(attempts.is_empty());

    // Deleting an endpoint kills its pending deliveries; the log stays.
    hooks
        .delete_webhook(&owner, decisions.id, &ctx())
        .await
        .unwrap();
    let (dead, _) = hooks.delivery(&owner, delivery.id).await.unwrap().unwrap();
    assert_eq!(dead.status, DeliveryStatus::Dead);
    assert!(dead.last_error.is_some());
    let (alive, _) = hooks.delivery(&owner, all[0].id).await.unwrap().unwrap();
    assert_eq!(alive.status, DeliveryStatus::Pending);

    // The log is for integrators of the tenant only.
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    assert_refused(&hooks.list_deliveries(&manager, None, first(50)).await);
    assert_refused(&hooks.delivery(&manager, delivery.id).await);
    let (_, stranger) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;
    assert!(
        hooks
            .list_deliveries(&stranger, None, first(50))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(hooks.delivery(&stranger, delivery.id).await.unwrap(), None);
}

/// Claims deliveries at `now` until nothing is left, keeping only `tenant`'s.
async fn claim_deliveries_of(
    stores: &Stores,
    tenant: portal_core::TenantId,
    now: OffsetDateTime,
) -> Vec<DueDelivery> {
    let mut mine = Vec::new();
    loop {
        let claimed = stores
            .webhooks
            .claim_deliveries(now, 200, LEASE)
            .await
            .unwrap();
        if claimed.is_empty() {
            return mine;
        }
        assert!(
            claimed
                .windows(2)
                .all(|pair| pair[0].delivery.id < pair[1].delivery.id),
            "oldest first"
        );
        mine.extend(
            claimed
                .into_iter()
                .filter(|due| due.delivery.tenant == tenant),
        );
    }
}

fn attempt(at: OffsetDateTime, outcome: DeliveryStatus) -> AttemptRecord {
    AttemptRecord {
        at,
        status: None,
        error: None,
        duration_ms: 120,
        outcome,
        retry_at: None,
    }
}

pub async fn deliveries_are_claimed_attempted_and_redelivered(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let hooks = &stores.webhooks;
    let endpoint = hooks
        .create_webhook(
            &owner,
            endpoint_input("https://crm.example/in", vec![]),
            secret(5),
            &ctx(),
        )
        .await
        .unwrap();
    let first_event = outbox_event(&owner);
    let second_event = outbox_event(&owner);
    for event in [&first_event, &second_event] {
        hooks
            .queue_deliveries(
                &system,
                request(event, EventType::ApprovalDecided, "{\"a\":1}"),
            )
            .await
            .unwrap();
    }
    let t0 = OffsetDateTime::now_utc() + Duration::seconds(1);

    // Each due delivery goes to one claimer with what the attempt needs, then is leased.
    let claimed = claim_deliveries_of(stores, acme.id, t0).await;
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed[0].delivery.event, first_event.id, "oldest first");
    assert!(
        claimed
            .iter()
            .all(|due| due.url.as_str() == "https://crm.example/in")
    );
    assert!(claimed.iter().all(|due| due.secret == secret(5)));
    assert!(
        claim_deliveries_of(stores, acme.id, t0).await.is_empty(),
        "leased"
    );
    // A rotated secret signs the next attempt.
    hooks
        .rotate_webhook_secret(&owner, endpoint.id, secret(6), &ctx())
        .await
        .unwrap();
    let after_lease = t0 + LEASE + Duration::seconds(1);
    let again = claim_deliveries_of(stores, acme.id, after_lease).await;
    assert_eq!(again.len(), 2, "a lease ends");
    assert!(again.iter().all(|due| due.secret == secret(6)));
    let (first_id, second_id) = (claimed[0].delivery.id, claimed[1].delivery.id);

    // A failure with a retry waits for it; a success ends the delivery.
    let retry_at = t0 + Duration::hours(1);
    let failed = hooks
        .record_attempt(
            first_id,
            AttemptRecord {
                status: Some(503),
                error: Some("x".repeat(5_000)),
                retry_at: Some(retry_at),
                ..attempt(after_lease, DeliveryStatus::Pending)
            },
        )
        .await
        .unwrap();
    assert_eq!(failed.status, DeliveryStatus::Pending);
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.last_status, Some(503));
    assert_eq!(
        failed.last_error.as_ref().map(|e| e.chars().count()),
        Some(2_000)
    );
    assert!((failed.next_attempt_at - retry_at).abs() < Duration::milliseconds(1));
    assert!(
        claim_deliveries_of(stores, acme.id, t0 + Duration::minutes(30))
            .await
            .iter()
            .all(|due| due.delivery.id != first_id),
        "a failed delivery waits for its retry"
    );
    let retried = claim_deliveries_of(stores, acme.id, t0 + Duration::hours(2)).await;
    assert!(retried.iter().any(|due| due.delivery.id == first_id));
    let delivered = hooks
        .record_attempt(
            first_id,
            AttemptRecord {
                status: Some(204),
                ..attempt(t0 + Duration::hours(2), DeliveryStatus::Delivered)
            },
        )
        .await
        .unwrap();
    assert_eq!(delivered.status, DeliveryStatus::Delivered);
    assert_eq!(delivered.attempts, 2);
    assert!(delivered.delivered_at.is_some());
    assert!(
        claim_deliveries_of(stores, acme.id, t0 + Duration::days(1))
            .await
            .iter()
            .all(|due| due.delivery.id != first_id),
        "a delivered delivery is never claimed"
    );
    let dead = hooks
        .record_attempt(
            second_id,
            AttemptRecord {
                error: Some("connection refused".into()),
                ..attempt(t0, DeliveryStatus::Dead)
            },
        )
        .await
        .unwrap();
    assert_eq!(dead.status, DeliveryStatus::Dead);
    assert_eq!(dead.last_error.as_deref(), Some("connection refused"));
    assert_eq!(dead.last_status, None);
    assert_not_found(
        &hooks
            .record_attempt(
                portal_core::WebhookDeliveryId::new(),
                attempt(t0, DeliveryStatus::Dead),
            )
            .await,
    );

    // The log shows every attempt, oldest first.
    let (logged, attempts) = hooks.delivery(&owner, first_id).await.unwrap().unwrap();
    assert_eq!(logged, delivered);
    let numbers: Vec<(i32, Option<u16>)> = attempts
        .iter()
        .map(|attempt| (attempt.number, attempt.status))
        .collect();
    assert_eq!(numbers, vec![(1, Some(503)), (2, Some(204))]);
    assert!(
        attempts
            .iter()
            .all(|a| a.delivery == first_id && a.duration_ms == 120)
    );
    assert_eq!(attempts[0].error.as_ref().map(|e| e.len()), Some(2_000));

    // Redelivery queues any delivery again, due now, audited.
    let redelivered = hooks.redeliver(&owner, second_id, &ctx()).await.unwrap();
    assert_eq!(redelivered.status, DeliveryStatus::Pending);
    assert_eq!(redelivered.body, dead.body);
    assert_eq!(redelivered.event, second_event.id);
    assert!(
        claim_deliveries_of(
            stores,
            acme.id,
            OffsetDateTime::now_utc() + Duration::seconds(1)
        )
        .await
        .iter()
        .any(|due| due.delivery.id == second_id)
    );
    let redelivered_events = stores
        .audit
        .list_events(
            &owner,
            AuditFilter {
                action: Some("webhook.redelivered".into()),
                ..AuditFilter::default()
            },
            first(10),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(redelivered_events.len(), 1);
    assert_eq!(
        redelivered_events[0]
            .object
            .as_ref()
            .map(|object| object.id),
        Some(*second_id.as_uuid())
    );

    // Not for those without the permission, nor another tenant; not to a deleted endpoint.
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    assert_refused(&hooks.redeliver(&manager, second_id, &ctx()).await);
    let globex = tenant(stores, "Globex").await;
    let (_, stranger) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;
    assert_not_found(&hooks.redeliver(&stranger, second_id, &ctx()).await);
    hooks
        .delete_webhook(&owner, endpoint.id, &ctx())
        .await
        .unwrap();
    assert_conflict(&hooks.redeliver(&owner, first_id, &ctx()).await);
    let (after, _) = hooks.delivery(&owner, first_id).await.unwrap().unwrap();
    assert_eq!(
        after.status,
        DeliveryStatus::Delivered,
        "a refused redelivery changes nothing"
    );
}

/// One event to queue, as the dispatcher asks.
fn request(event: &OutboxEvent, event_type: EventType, body: &str) -> Vec<DeliveryRequest> {
    vec![DeliveryRequest {
        event: event.id,
        tenant: event.tenant,
        event_type,
        body: body.to_owned(),
    }]
}

pub async fn a_pass_is_written_in_batches(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let hooks = &stores.webhooks;
    hooks
        .create_webhook(
            &owner,
            endpoint_input("https://crm.example/batch", vec![]),
            secret(7),
            &ctx(),
        )
        .await
        .unwrap();

    // Several events queue in one call; a repeat adds nothing.
    let events = [
        outbox_event(&owner),
        outbox_event(&owner),
        outbox_event(&owner),
    ];
    let requests: Vec<DeliveryRequest> = events
        .iter()
        .flat_map(|event| request(event, EventType::ApprovalDecided, "{}"))
        .collect();
    assert_eq!(
        hooks
            .queue_deliveries(&system, requests.clone())
            .await
            .unwrap(),
        3
    );
    assert_eq!(hooks.queue_deliveries(&system, requests).await.unwrap(), 0);
    // A batch holding one event of another tenant queues nothing at all.
    let globex = tenant(stores, "Globex").await;
    let (_, globex_owner) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;
    let mut mixed = request(&outbox_event(&owner), EventType::ApprovalDecided, "{}");
    mixed.extend(request(
        &outbox_event(&globex_owner),
        EventType::ApprovalDecided,
        "{}",
    ));
    assert_not_found(&hooks.queue_deliveries(&system, mixed).await);

    // Attempts of a whole pass are recorded together, each with its own outcome and log.
    let t0 = OffsetDateTime::now_utc() + Duration::seconds(1);
    let claimed = claim_deliveries_of(stores, acme.id, t0).await;
    assert_eq!(claimed.len(), 3);
    let outcome = |index: usize| AttemptRecord {
        at: t0,
        status: Some(if index == 0 { 500 } else { 204 }),
        error: (index == 0).then(|| "HTTP 500".to_owned()),
        duration_ms: 12,
        outcome: if index == 0 {
            DeliveryStatus::Pending
        } else {
            DeliveryStatus::Delivered
        },
        retry_at: (index == 0).then(|| t0 + Duration::minutes(1)),
    };
    let attempts = claimed
        .iter()
        .enumerate()
        .map(|(index, due)| (due.delivery.id, outcome(index)))
        .collect();
    hooks.record_attempts(attempts).await.unwrap();
    for (index, due) in claimed.iter().enumerate() {
        let (delivery, log) = hooks
            .delivery(&owner, due.delivery.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(delivery.attempts, 1);
        assert_eq!(log.len(), 1);
        let expected = if index == 0 {
            DeliveryStatus::Pending
        } else {
            DeliveryStatus::Delivered
        };
        assert_eq!(delivery.status, expected);
    }

    // Outbox rows are marked in one go; an unknown id is refused.
    let rows = [
        stores
            .outbox
            .enqueue(&system, "test.batch", serde_json::json!({}))
            .await
            .unwrap(),
        stores
            .outbox
            .enqueue(&system, "test.batch", serde_json::json!({}))
            .await
            .unwrap(),
    ];
    let ids: Vec<OutboxEventId> = rows.iter().map(|row| row.id).collect();
    stores.outbox.mark_all_delivered(&ids).await.unwrap();
    let listed = stores
        .outbox
        .list_outbox(&owner, Page::first(50).unwrap())
        .await
        .unwrap()
        .items;
    for id in &ids {
        let row = listed.iter().find(|row| row.id == *id).unwrap();
        assert_eq!(row.status, OutboxStatus::Delivered);
    }
    assert_not_found(
        &stores
            .outbox
            .mark_all_delivered(&[OutboxEventId::new()])
            .await,
    );
}
