//! Passkeys: a user's several credentials, named, renamed and revoked; credential ids unique per
//! tenant; uses recorded; ceremony state single use, bound to tenant, kind and user, and expiring.

use std::sync::Arc;

use portal_core::model::PasskeyCeremonyKind::{Authentication, Registration};
use portal_core::model::{NewPasskey, NewPasskeyCeremony, PasskeyCeremonyKind};
use portal_core::state::Sha256Digest;
use portal_core::{BuiltinRole, PasskeyId, TenantId, UserId};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{
    assert_conflict, assert_invalid, assert_not_found, member, name, tenant, token,
};

/// Now, in whole seconds, so stored times read back equal.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

/// A new tenant with one user.
async fn user(h: &Harness) -> (TenantId, UserId) {
    let acme = tenant(&h.stores, "Acme").await;
    let (user, _) = member(&h.stores, acme.id, BuiltinRole::Member, &[]).await;
    (acme.id, user)
}

/// A passkey called `title` with a fresh random credential id.
fn passkey(title: &str) -> NewPasskey {
    NewPasskey {
        name: name(title),
        credential_id: token().as_bytes().to_vec(),
        credential: format!("{{\"cred\":\"{title}\"}}"),
    }
}

/// A ceremony of `kind` (a registration is `user`'s) holding `state`, lapsing at `expires_at`.
fn ceremony(
    tenant: TenantId,
    kind: PasskeyCeremonyKind,
    user: Option<UserId>,
    state: &str,
    expires_at: OffsetDateTime,
) -> NewPasskeyCeremony {
    NewPasskeyCeremony {
        tenant,
        user,
        kind,
        state: state.to_owned(),
        expires_at,
    }
}

pub async fn passkeys_are_added_listed_renamed_and_revoked(h: &Harness) {
    let passkeys = &h.stores.passkeys;
    let (acme, ada) = user(h).await;
    let (_, bob) = {
        let (bob, _) = member(&h.stores, acme, BuiltinRole::Member, &[]).await;
        (acme, bob)
    };
    let at = now();
    let laptop = passkeys
        .add_passkey(acme, ada, passkey("Laptop"), at)
        .await
        .unwrap();
    assert_eq!(
        (laptop.tenant, laptop.user, laptop.name.as_str()),
        (acme, ada, "Laptop")
    );
    assert_eq!((laptop.created_at, laptop.last_used_at), (at, None));
    let phone = passkeys
        .add_passkey(acme, ada, passkey("Phone"), at + Duration::seconds(1))
        .await
        .unwrap();
    passkeys
        .add_passkey(acme, bob, passkey("Bob's key"), at)
        .await
        .unwrap();
    let listed = passkeys.passkeys_of(acme, ada).await.unwrap();
    assert_eq!(listed, vec![laptop.clone(), phone.clone()], "oldest first");

    let renamed = passkeys
        .rename_passkey(acme, ada, phone.id, name("Work phone"))
        .await
        .unwrap();
    assert_eq!(renamed.name.as_str(), "Work phone");
    assert_eq!(
        passkeys.passkeys_of(acme, ada).await.unwrap()[1]
            .name
            .as_str(),
        "Work phone"
    );
    // Another user's passkey is not found, for a rename and a revocation alike.
    assert_not_found(
        &passkeys
            .rename_passkey(acme, bob, phone.id, name("Mine"))
            .await,
    );
    assert_not_found(&passkeys.delete_passkey(acme, bob, laptop.id).await);
    assert_not_found(
        &passkeys
            .rename_passkey(acme, ada, PasskeyId::new(), name("Nobody's"))
            .await,
    );

    passkeys.delete_passkey(acme, ada, laptop.id).await.unwrap();
    assert_eq!(
        passkeys.passkeys_of(acme, ada).await.unwrap(),
        vec![renamed]
    );
    assert_eq!(
        passkeys
            .passkey_by_credential_id(acme, &laptop.credential_id)
            .await
            .unwrap(),
        None,
        "a revoked passkey is not found"
    );
    assert_not_found(&passkeys.delete_passkey(acme, ada, laptop.id).await);
    assert_eq!(passkeys.passkeys_of(acme, bob).await.unwrap().len(), 1);
}

pub async fn credential_ids_are_unique_per_tenant_and_checked(h: &Harness) {
    let passkeys = &h.stores.passkeys;
    let (acme, ada) = user(h).await;
    let (bob, _) = member(&h.stores, acme, BuiltinRole::Member, &[]).await;
    let (other, carol) = user(h).await;
    let first = passkeys
        .add_passkey(acme, ada, passkey("Laptop"), now())
        .await
        .unwrap();
    let again = NewPasskey {
        credential_id: first.credential_id.clone(),
        ..passkey("Copy")
    };
    assert_conflict(&passkeys.add_passkey(acme, bob, again.clone(), now()).await);
    assert_conflict(&passkeys.add_passkey(acme, ada, again.clone(), now()).await);
    // Another tenant is another namespace.
    passkeys
        .add_passkey(other, carol, again, now())
        .await
        .unwrap();
    // A user of another tenant, or none, is not found.
    assert_not_found(
        &passkeys
            .add_passkey(acme, carol, passkey("Stray"), now())
            .await,
    );
    assert_not_found(
        &passkeys
            .add_passkey(acme, UserId::new(), passkey("Ghost"), now())
            .await,
    );
    let empty = NewPasskey {
        credential_id: Vec::new(),
        ..passkey("Empty")
    };
    assert_invalid(
        &passkeys.add_passkey(acme, ada, empty, now()).await,
        Some("credential_id"),
    );
    let long = NewPasskey {
        credential_id: vec![7; NewPasskey::MAX_CREDENTIAL_ID_BYTES + 1],
        ..passkey("Long")
    };
    assert_invalid(
        &passkeys.add_passkey(acme, ada, long, now()).await,
        Some("credential_id"),
    );
    let longest = NewPasskey {
        credential_id: vec![7; NewPasskey::MAX_CREDENTIAL_ID_BYTES],
        ..passkey("Longest")
    };
    passkeys
        .add_passkey(acme, ada, longest, now())
        .await
        .unwrap();
    let blank = NewPasskey {
        credential: " ".to_owned(),
        ..passkey("Blank")
    };
    assert_invalid(
        &passkeys.add_passkey(acme, ada, blank, now()).await,
        Some("credential"),
    );
    assert_eq!(passkeys.passkeys_of(acme, ada).await.unwrap().len(), 2);
}

pub async fn passkey_uses_update_the_credential_and_last_use(h: &Harness) {
    let passkeys = &h.stores.passkeys;
    let (acme, ada) = user(h).await;
    let stored = passkeys
        .add_passkey(acme, ada, passkey("Laptop"), now())
        .await
        .unwrap();
    let found = passkeys
        .passkey_by_credential_id(acme, &stored.credential_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, stored);
    let used_at = now() + Duration::minutes(3);
    passkeys
        .record_passkey_use(acme, stored.id, "{\"counter\":2}".to_owned(), used_at)
        .await
        .unwrap();
    let after = passkeys
        .passkey_by_credential_id(acme, &stored.credential_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.credential, "{\"counter\":2}");
    assert_eq!(after.last_used_at, Some(used_at));
    assert_eq!(
        (after.name, after.created_at),
        (stored.name, stored.created_at)
    );
    assert_invalid(
        &passkeys
            .record_passkey_use(acme, stored.id, String::new(), used_at)
            .await,
        Some("credential"),
    );
    // A passkey revoked meanwhile stays revoked.
    passkeys.delete_passkey(acme, ada, stored.id).await.unwrap();
    assert_not_found(
        &passkeys
            .record_passkey_use(acme, stored.id, "{}".to_owned(), used_at)
            .await,
    );
    assert_eq!(
        passkeys
            .passkey_by_credential_id(acme, &stored.credential_id)
            .await
            .unwrap(),
        None
    );
}

pub async fn ceremonies_are_single_use_and_bound(h: &Harness) {
    let passkeys = &h.stores.passkeys;
    let (acme, ada) = user(h).await;
    let (bob, _) = member(&h.stores, acme, BuiltinRole::Member, &[]).await;
    let (other, _) = user(h).await;
    let expires = now() + Duration::minutes(5);
    let (register, sign_in) = (token(), token());
    passkeys
        .begin_passkey_ceremony(
            register,
            ceremony(acme, Registration, Some(ada), "reg", expires),
        )
        .await
        .unwrap();
    passkeys
        .begin_passkey_ceremony(
            sign_in,
            ceremony(acme, Authentication, None, "auth", expires),
        )
        .await
        .unwrap();
    assert_conflict(
        &passkeys
            .begin_passkey_ceremony(sign_in, ceremony(acme, Authentication, None, "x", expires))
            .await,
    );
    // Another tenant, kind or user leaves the ceremony alone.
    let take = |tenant, kind, user, hash: Sha256Digest| {
        let passkeys = Arc::clone(passkeys);
        async move {
            passkeys
                .take_passkey_ceremony(tenant, kind, user, &hash, now())
                .await
                .unwrap()
        }
    };
    assert_eq!(take(other, Registration, Some(ada), register).await, None);
    assert_eq!(take(acme, Authentication, None, register).await, None);
    assert_eq!(take(acme, Registration, Some(bob), register).await, None);
    assert_eq!(take(other, Authentication, None, sign_in).await, None);
    assert_eq!(take(acme, Registration, Some(ada), sign_in).await, None);
    assert_eq!(
        take(acme, Registration, Some(ada), register).await,
        Some("reg".to_owned())
    );
    assert_eq!(
        take(acme, Registration, Some(ada), register).await,
        None,
        "single use"
    );
    assert_eq!(
        take(acme, Authentication, None, sign_in).await,
        Some("auth".to_owned())
    );
    assert_eq!(take(acme, Authentication, None, sign_in).await, None);

    // A registration names its user, a sign-in none; the user must be the tenant's.
    assert_invalid(
        &passkeys
            .begin_passkey_ceremony(token(), ceremony(acme, Registration, None, "r", expires))
            .await,
        Some("user"),
    );
    assert_invalid(
        &passkeys
            .begin_passkey_ceremony(
                token(),
                ceremony(acme, Authentication, Some(ada), "a", expires),
            )
            .await,
        Some("user"),
    );
    assert_invalid(
        &passkeys
            .begin_passkey_ceremony(token(), ceremony(acme, Authentication, None, "", expires))
            .await,
        Some("state"),
    );
    assert_not_found(
        &passkeys
            .begin_passkey_ceremony(
                token(),
                ceremony(other, Registration, Some(ada), "r", expires),
            )
            .await,
    );
}

pub async fn ceremonies_expire_and_are_swept(h: &Harness) {
    let passkeys = &h.stores.passkeys;
    let (acme, ada) = user(h).await;
    let start = now();
    let (lapsing, swept, live) = (token(), token(), token());
    let lapses = start + Duration::minutes(5);
    for (hash, expires_at) in [
        (lapsing, lapses),
        (swept, lapses),
        (live, start + Duration::days(365)),
    ] {
        passkeys
            .begin_passkey_ceremony(
                hash,
                ceremony(acme, Registration, Some(ada), "state", expires_at),
            )
            .await
            .unwrap();
    }
    assert_eq!(
        passkeys
            .take_passkey_ceremony(acme, Registration, Some(ada), &lapsing, lapses)
            .await
            .unwrap(),
        None,
        "expired at its expiry"
    );
    assert_eq!(
        passkeys
            .take_passkey_ceremony(acme, Registration, Some(ada), &lapsing, start)
            .await
            .unwrap(),
        None,
        "an expired ceremony is deleted when found"
    );
    // Other tests share the database: at least the one expired here goes.
    assert!(
        passkeys
            .delete_expired_passkey_ceremonies(lapses)
            .await
            .unwrap()
            >= 1
    );
    assert_eq!(
        passkeys
            .take_passkey_ceremony(acme, Registration, Some(ada), &swept, start)
            .await
            .unwrap(),
        None,
        "swept"
    );
    assert_eq!(
        passkeys
            .take_passkey_ceremony(acme, Registration, Some(ada), &live, start)
            .await
            .unwrap(),
        Some("state".to_owned()),
        "a live ceremony survives the sweep"
    );
}

pub async fn concurrent_ceremony_takers_have_one_winner(h: &Harness) {
    let (acme, _) = user(h).await;
    let hash = token();
    h.stores
        .passkeys
        .begin_passkey_ceremony(
            hash,
            ceremony(
                acme,
                Authentication,
                None,
                "once",
                now() + Duration::minutes(5),
            ),
        )
        .await
        .unwrap();
    let takers = (0..8).map(|_| {
        let passkeys = Arc::clone(&h.stores.passkeys);
        tokio::spawn(async move {
            passkeys
                .take_passkey_ceremony(acme, Authentication, None, &hash, now())
                .await
                .unwrap()
        })
    });
    let mut winners = 0;
    for taker in takers.collect::<Vec<_>>() {
        if taker.await.unwrap().is_some() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

pub async fn another_tenant_finds_no_passkey(h: &Harness) {
    let passkeys = &h.stores.passkeys;
    let (acme, ada) = user(h).await;
    let (other, _) = user(h).await;
    let stored = passkeys
        .add_passkey(acme, ada, passkey("Canary"), now())
        .await
        .unwrap();
    assert_eq!(
        passkeys
            .passkey_by_credential_id(other, &stored.credential_id)
            .await
            .unwrap(),
        None
    );
    assert!(passkeys.passkeys_of(other, ada).await.unwrap().is_empty());
    assert_not_found(
        &passkeys
            .rename_passkey(other, ada, stored.id, name("Taken"))
            .await,
    );
    assert_not_found(&passkeys.delete_passkey(other, ada, stored.id).await);
    assert_not_found(
        &passkeys
            .record_passkey_use(other, stored.id, "{}".to_owned(), now())
            .await,
    );
    // Nothing changed.
    assert_eq!(passkeys.passkeys_of(acme, ada).await.unwrap(), vec![stored]);
}
