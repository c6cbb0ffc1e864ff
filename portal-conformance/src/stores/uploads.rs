//! Resumable uploads' records: each belongs to whoever began it (a user, or a share link's
//! visitor), expires, is swept, and is checked on the way in; links that take uploads.

use portal_core::model::{ShareAccess, ShareTarget};
use portal_core::{BuiltinRole, TenantScope, Visibility};
use portal_storage::blob::UploadId;
use portal_storage::traits::{NewResumableUpload, ResumableUpload, UploadOwner, UploadTarget};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{
    ClientWork, assert_conflict, assert_invalid, assert_not_found, client, ctx, member, name,
    tenant, token, work,
};

/// Now, in whole seconds, so stored times read back equal.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

/// The owner a scope begins uploads as: its user.
fn me(scope: &TenantScope) -> UploadOwner {
    UploadOwner::User(scope.principal().user_id().unwrap())
}

/// A tenant with a client's work, a member of staff assigned to it and one of its contacts.
async fn setting(h: &Harness, title: &str) -> (ClientWork, TenantScope, TenantScope) {
    let acme = tenant(&h.stores, title).await;
    let (_, owner) = member(&h.stores, acme.id, BuiltinRole::Owner, &[]).await;
    let globex = client(&h.stores, &owner, "Globex").await;
    let (_, staff) = member(&h.stores, acme.id, BuiltinRole::Member, &[globex]).await;
    let (_, contact) = member(&h.stores, acme.id, BuiltinRole::ClientAdmin, &[globex]).await;
    let work = work(&h.stores, &owner, globex, "Upload").await;
    (work, staff, contact)
}

fn new_upload(target: UploadTarget, begun: OffsetDateTime) -> NewResumableUpload {
    NewResumableUpload {
        id: UploadId::generate(),
        target,
        file_name: "large film.mp4".to_owned(),
        length: 3 * 1024 * 1024 * 1024,
        created_at: begun,
        expires_at: begun + Duration::hours(24),
    }
}

fn new_document(work: &ClientWork) -> UploadTarget {
    UploadTarget::NewDocument {
        project: work.project,
        title: name("Launch film"),
        visibility: Visibility::Shared,
    }
}

pub async fn resumable_uploads_belong_to_the_user_who_began_them(h: &Harness) {
    let (work, staff, contact) = setting(h, "Acme").await;
    let (_, _, stranger) = setting(h, "Initech").await;
    let uploads = &h.stores.uploads;
    let begun = now();
    let upload = new_upload(new_document(&work), begun);
    let id = upload.id;
    let recorded: ResumableUpload = uploads
        .create_resumable_upload(&contact, me(&contact), upload.clone())
        .await
        .unwrap();
    assert_eq!(recorded.owner, me(&contact));
    assert_eq!(recorded.tenant, contact.tenant_id());
    assert_eq!(recorded.target, upload.target);
    assert_eq!(
        (recorded.file_name.as_str(), recorded.length),
        ("large film.mp4", upload.length)
    );
    assert_eq!(
        uploads
            .resumable_upload(&contact, me(&contact), id, begun)
            .await
            .unwrap(),
        Some(recorded.clone()),
        "read back as recorded"
    );
    for other in [&staff, &stranger] {
        for owner in [me(other), me(&contact)] {
            assert_eq!(
                uploads
                    .resumable_upload(other, owner, id, begun)
                    .await
                    .unwrap(),
                None,
                "another user, of this tenant or another, finds nothing, as themselves or not"
            );
            assert!(
                !uploads
                    .delete_resumable_upload(other, owner, id)
                    .await
                    .unwrap()
            );
        }
    }
    let system = TenantScope::dangerous_system(contact.tenant_id());
    assert_eq!(
        uploads
            .resumable_upload(&system, me(&contact), id, begun)
            .await
            .unwrap(),
        None
    );
    assert!(
        uploads
            .delete_resumable_upload(&contact, me(&contact), id)
            .await
            .unwrap()
    );
    assert!(
        !uploads
            .delete_resumable_upload(&contact, me(&contact), id)
            .await
            .unwrap()
    );
    assert_eq!(
        uploads
            .resumable_upload(&contact, me(&contact), id, begun)
            .await
            .unwrap(),
        None
    );

    // The next version of a document, begun by staff.
    let next = new_upload(
        UploadTarget::NextVersion {
            document: work.document,
        },
        begun,
    );
    let recorded = uploads
        .create_resumable_upload(&staff, me(&staff), next.clone())
        .await
        .unwrap();
    assert_eq!(recorded.target, next.target);
    assert_eq!(
        uploads
            .resumable_upload(&staff, me(&staff), next.id, begun)
            .await
            .unwrap(),
        Some(recorded)
    );
}

pub async fn resumable_uploads_expire_and_are_swept(h: &Harness) {
    let (work, _, contact) = setting(h, "Acme").await;
    let uploads = &h.stores.uploads;
    // Long ago, so no upload of a check running beside this one expires earlier.
    let begun = OffsetDateTime::from_unix_timestamp(1_000_000_000).unwrap();
    let stale = new_upload(new_document(&work), begun);
    let fresh = new_upload(new_document(&work), now());
    for upload in [&stale, &fresh] {
        uploads
            .create_resumable_upload(&contact, me(&contact), upload.clone())
            .await
            .unwrap();
    }
    let at = now();
    assert!(
        uploads
            .resumable_upload(&contact, me(&contact), stale.id, begun + Duration::hours(1))
            .await
            .unwrap()
            .is_some(),
        "alive before its expiry"
    );
    assert_eq!(
        uploads
            .resumable_upload(&contact, me(&contact), stale.id, at)
            .await
            .unwrap(),
        None,
        "an expired upload counts as absent"
    );
    let expired = uploads.expired_resumable_uploads(at, 10_000).await.unwrap();
    assert!(expired.contains(&(contact.tenant_id(), stale.id)));
    assert!(!expired.contains(&(contact.tenant_id(), fresh.id)));
    assert!(
        uploads
            .expired_resumable_uploads(at, 0)
            .await
            .unwrap()
            .is_empty(),
        "the limit holds"
    );
    assert!(uploads.delete_expired_resumable_uploads(at).await.unwrap() >= 1);
    assert!(
        uploads
            .resumable_upload(&contact, me(&contact), stale.id, begun + Duration::hours(1))
            .await
            .unwrap()
            .is_none(),
        "swept"
    );
    assert!(
        uploads
            .resumable_upload(&contact, me(&contact), fresh.id, at)
            .await
            .unwrap()
            .is_some(),
        "an unexpired upload stays"
    );
}

pub async fn resumable_uploads_are_checked(h: &Harness) {
    let (work, staff, contact) = setting(h, "Acme").await;
    let uploads = &h.stores.uploads;
    let begun = now();
    let with = |change: &dyn Fn(&mut NewResumableUpload)| {
        let mut upload = new_upload(new_document(&work), begun);
        change(&mut upload);
        upload
    };
    let cases: [(NewResumableUpload, &str); 4] = [
        (with(&|upload| upload.file_name.clear()), "file_name"),
        (
            with(&|upload| upload.file_name = "x".repeat(256)),
            "file_name",
        ),
        (with(&|upload| upload.length = u64::MAX), "length"),
        (
            with(&|upload| upload.expires_at = upload.created_at),
            "expires_at",
        ),
    ];
    for (upload, field) in cases {
        assert_invalid(
            &uploads
                .create_resumable_upload(&contact, me(&contact), upload)
                .await,
            Some(field),
        );
    }
    let system = TenantScope::dangerous_system(contact.tenant_id());
    assert_invalid(
        &uploads
            .create_resumable_upload(&system, me(&contact), with(&|_| {}))
            .await,
        Some("scope"),
    );
    let taken = with(&|_| {});
    uploads
        .create_resumable_upload(&contact, me(&contact), taken.clone())
        .await
        .unwrap();
    assert_conflict(
        &uploads
            .create_resumable_upload(&staff, me(&staff), taken)
            .await,
    );
    let (elsewhere, _, _) = setting(h, "Initech").await;
    assert_not_found(
        &uploads
            .create_resumable_upload(
                &contact,
                me(&contact),
                with(&|upload| {
                    upload.target = UploadTarget::NextVersion {
                        document: elsewhere.document,
                    };
                }),
            )
            .await,
    );
}

pub async fn share_links_take_uploads_of_their_own(h: &Harness) {
    let (work, staff, contact) = setting(h, "Acme").await;
    let (elsewhere, _, stranger) = setting(h, "Initech").await;
    let (_, owner) = member(&h.stores, staff.tenant_id(), BuiltinRole::Owner, &[]).await;
    let links = &h.stores.share_links;
    let in_a_week = OffsetDateTime::now_utc() + Duration::days(7);
    let uploads_too = ShareAccess {
        download: false,
        upload: true,
    };
    let link_token = token();
    let link = links
        .create_share_link(
            &owner,
            ShareTarget::Project(work.project),
            link_token,
            uploads_too,
            in_a_week,
            Some(1),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(link.allow_upload && !link.allow_download);
    // Making a link that takes uploads needs `upload_documents` besides `create_share_links`:
    // a contact holds neither here.
    assert!(
        links
            .create_share_link(
                &contact,
                ShareTarget::Project(work.project),
                token(),
                uploads_too,
                in_a_week,
                None,
                &ctx(),
            )
            .await
            .is_err()
    );

    // The link's one use is spent; the parts of an upload begun with it are still checked live,
    // counting nothing.
    let now_at = OffsetDateTime::now_utc();
    let used = links.use_share_link(&link_token, now_at).await.unwrap();
    assert_eq!(used.map(|link| link.uses), Some(1));
    assert!(
        links
            .use_share_link(&link_token, now_at)
            .await
            .unwrap()
            .is_none()
    );
    let live = links
        .live_share_link(&link_token, now_at)
        .await
        .unwrap()
        .expect("a used-up link still works for the upload begun with its last use");
    assert_eq!((live.id, live.uses, live.allow_upload), (link.id, 1, true));
    assert!(
        links
            .live_share_link(&token(), now_at)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        links
            .live_share_link(&link_token, in_a_week + Duration::days(1))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );

    let uploads = &h.stores.uploads;
    let system = TenantScope::dangerous_system(staff.tenant_id());
    let visitor = UploadOwner::ShareLink(link.id);
    let begun = now();
    let upload = new_upload(new_document(&work), begun);
    let recorded = uploads
        .create_resumable_upload(&system, visitor, upload.clone())
        .await
        .unwrap();
    assert_eq!(recorded.owner, visitor);
    assert_eq!(
        uploads
            .resumable_upload(&system, visitor, upload.id, begun)
            .await
            .unwrap(),
        Some(recorded)
    );
    for person in [&staff, &contact] {
        for owner in [visitor, me(person)] {
            assert_eq!(
                uploads
                    .resumable_upload(person, owner, upload.id, begun)
                    .await
                    .unwrap(),
                None,
                "a person does not act as a link, nor owns the link's upload"
            );
        }
    }
    let other_tenant = TenantScope::dangerous_system(stranger.tenant_id());
    assert_eq!(
        uploads
            .resumable_upload(&other_tenant, visitor, upload.id, begun)
            .await
            .unwrap(),
        None
    );
    assert_invalid(
        &uploads
            .create_resumable_upload(&staff, visitor, new_upload(new_document(&work), begun))
            .await,
        Some("scope"),
    );
    assert_not_found(
        &uploads
            .create_resumable_upload(
                &other_tenant,
                visitor,
                new_upload(new_document(&elsewhere), begun),
            )
            .await,
    );

    // Revoked: no longer live; the upload's record goes with its owner's delete.
    links
        .revoke_share_link(&owner, link.id, &ctx())
        .await
        .unwrap();
    assert!(
        links
            .live_share_link(&link_token, now_at)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        uploads
            .delete_resumable_upload(&system, visitor, upload.id)
            .await
            .unwrap()
    );
}
