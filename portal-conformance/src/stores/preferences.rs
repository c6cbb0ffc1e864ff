//! A person's own preferences: the language of their pages and the first-login tour. Each sets
//! their own; a user's language may also be set by whoever may rename them; the tour only by the
//! person. Changes are audited, repeats are not, and nobody reaches another tenant's or another
//! client's people (SEC-26, SEC-27).

use portal_core::model::User;
use portal_core::{
    BuiltinRole, LanguageTag, Permission, PermissionSet, TenantId, TenantScope, UserId,
};
use portal_storage::{AuditFilter, Page, Stores};

use crate::Harness;
use crate::stores::fixtures::{assert_forbidden, assert_not_found, client, ctx, member, tenant};

fn tag(text: &str) -> Option<LanguageTag> {
    Some(LanguageTag::parse(text).unwrap())
}

async fn stored(stores: &Stores, tenant: TenantId, id: UserId) -> User {
    stores
        .identities
        .user(&TenantScope::dangerous_system(tenant), id)
        .await
        .unwrap()
        .unwrap()
}

/// The `user.changed` events about `user`, newest first, by their `change`.
async fn changes(stores: &Stores, owner: &TenantScope, user: UserId) -> Vec<String> {
    stores
        .audit
        .list_events(
            owner,
            AuditFilter {
                action: Some("user.changed".into()),
                ..AuditFilter::default()
            },
            Page::first(100).unwrap(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|event| event.object.as_ref().map(|object| object.id) == Some(*user.as_uuid()))
        .map(|event| {
            event.details["change"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

pub async fn people_set_their_own_language_and_finish_the_tour(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let a = client(stores, &owner, "A").await;
    let (contact, contact_scope) = member(stores, acme.id, BuiltinRole::Viewer, &[a]).await;
    let (staff, staff_scope) = member(stores, acme.id, BuiltinRole::Member, &[]).await;
    let identities = &stores.identities;

    let fresh = stored(stores, acme.id, contact).await;
    assert_eq!((fresh.locale.as_deref(), fresh.tour_done_at), (None, None));

    let set = identities
        .set_locale(&contact_scope, contact, tag("de-at"), &ctx())
        .await
        .unwrap();
    assert_eq!(set.locale.as_deref(), Some("de-AT"));
    assert_eq!(stored(stores, acme.id, contact).await, set);
    // The same again changes nothing and is not audited twice.
    identities
        .set_locale(&contact_scope, contact, tag("de-AT"), &ctx())
        .await
        .unwrap();
    let cleared = identities
        .set_locale(&contact_scope, contact, None, &ctx())
        .await
        .unwrap();
    assert_eq!(cleared.locale, None);
    assert_eq!(stored(stores, acme.id, contact).await.locale, None);

    let done = identities
        .finish_tour(&contact_scope, &ctx())
        .await
        .unwrap();
    let first = done.tour_done_at.unwrap();
    assert_eq!(
        stored(stores, acme.id, contact).await.tour_done_at,
        Some(first)
    );
    // Finishing again keeps the first time.
    let again = identities
        .finish_tour(&contact_scope, &ctx())
        .await
        .unwrap();
    assert_eq!(again.tour_done_at, Some(first));
    assert_eq!(
        changes(stores, &owner, contact).await,
        ["tour_done", "locale", "locale", "created"]
    );

    // Staff alike.
    let staff_done = identities.finish_tour(&staff_scope, &ctx()).await.unwrap();
    assert_eq!(staff_done.id, staff);
    assert!(staff_done.tour_done_at.is_some());
    identities
        .set_locale(&staff_scope, staff, tag("en"), &ctx())
        .await
        .unwrap();
    assert_eq!(
        stored(stores, acme.id, staff).await.locale.as_deref(),
        Some("en")
    );
}

pub async fn only_the_person_or_their_admins_change_their_preferences(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let globex = tenant(stores, "Globex").await;
    let (admin_id, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let a = client(stores, &admin, "A").await;
    let b = client(stores, &admin, "B").await;
    let (contact_a, contact_a_scope) =
        member(stores, acme.id, BuiltinRole::ClientAdmin, &[a]).await;
    let (other_a, _) = member(stores, acme.id, BuiltinRole::Viewer, &[a]).await;
    let (contact_b, _) = member(stores, acme.id, BuiltinRole::Viewer, &[b]).await;
    let (colleague, _) = member(stores, acme.id, BuiltinRole::Member, &[]).await;
    let (_, member_scope) = member(stores, acme.id, BuiltinRole::Member, &[a]).await;
    let (_, foreign_admin) = member(stores, globex.id, BuiltinRole::Admin, &[]).await;
    let identities = &stores.identities;

    // Whoever may rename a person may set their language: onboarding before the first sign-in.
    let set = identities
        .set_locale(&admin, contact_b, tag("de"), &ctx())
        .await
        .unwrap();
    assert_eq!(set.locale.as_deref(), Some("de"));
    identities
        .set_locale(&admin, colleague, tag("de"), &ctx())
        .await
        .unwrap();

    // Seen but not theirs to change: refused, not concealed.
    assert_forbidden(
        &identities
            .set_locale(&member_scope, colleague, tag("en"), &ctx())
            .await,
    );
    assert_forbidden(
        &identities
            .set_locale(&contact_a_scope, other_a, tag("en"), &ctx())
            .await,
    );
    // Another client's contact and another tenant's people: exactly like a missing id.
    assert_not_found(
        &identities
            .set_locale(&contact_a_scope, contact_b, tag("en"), &ctx())
            .await,
    );
    assert_not_found(
        &identities
            .set_locale(&foreign_admin, contact_a, tag("en"), &ctx())
            .await,
    );
    assert_not_found(
        &identities
            .set_locale(&admin, UserId::new(), tag("en"), &ctx())
            .await,
    );
    assert_eq!(
        stored(stores, acme.id, contact_b).await.locale.as_deref(),
        Some("de")
    );
    assert_eq!(stored(stores, acme.id, other_a).await.locale, None);

    // A client preview changes nothing, and the tour is nobody's but a person's.
    let preview = admin
        .preview_as_client(a, PermissionSet::from_slice(&[Permission::ViewProjects]))
        .unwrap();
    assert_forbidden(
        &identities
            .set_locale(&preview, admin_id, tag("en"), &ctx())
            .await,
    );
    assert_forbidden(&identities.finish_tour(&preview, &ctx()).await);
    assert_not_found(
        &identities
            .finish_tour(&TenantScope::dangerous_system(acme.id), &ctx())
            .await,
    );
    assert_eq!(stored(stores, acme.id, admin_id).await.tour_done_at, None);
    assert_eq!(stored(stores, acme.id, admin_id).await.locale, None);
}
