//! Resumable uploads' records: each belongs to the user who began it, expires, is swept, and is
//! checked on the way in.

use portal_core::{BuiltinRole, TenantScope, Visibility};
use portal_storage::blob::UploadId;
use portal_storage::traits::{NewResumableUpload, ResumableUpload, UploadTarget};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{
    ClientWork, assert_conflict, assert_invalid, assert_not_found, client, member, name, tenant,
    work,
};

/// Now, in whole seconds, so stored times read back equal.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
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
        .create_resumable_upload(&contact, upload.clone())
        .await
        .unwrap();
    assert_eq!(recorded.owner, contact.principal().user_id().unwrap());
    assert_eq!(recorded.tenant, contact.tenant_id());
    assert_eq!(recorded.target, upload.target);
    assert_eq!(
        (recorded.file_name.as_str(), recorded.length),
        ("large film.mp4", upload.length)
    );
    assert_eq!(
        uploads.resumable_upload(&contact, id, begun).await.unwrap(),
        Some(recorded.clone()),
        "read back as recorded"
    );
    for other in [&staff, &stranger] {
        assert_eq!(
            uploads.resumable_upload(other, id, begun).await.unwrap(),
            None,
            "another user, of this tenant or another, finds nothing"
        );
        assert!(!uploads.delete_resumable_upload(other, id).await.unwrap());
    }
    let system = TenantScope::dangerous_system(contact.tenant_id());
    assert_eq!(
        uploads.resumable_upload(&system, id, begun).await.unwrap(),
        None
    );
    assert!(uploads.delete_resumable_upload(&contact, id).await.unwrap());
    assert!(!uploads.delete_resumable_upload(&contact, id).await.unwrap());
    assert_eq!(
        uploads.resumable_upload(&contact, id, begun).await.unwrap(),
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
        .create_resumable_upload(&staff, next.clone())
        .await
        .unwrap();
    assert_eq!(recorded.target, next.target);
    assert_eq!(
        uploads
            .resumable_upload(&staff, next.id, begun)
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
            .create_resumable_upload(&contact, upload.clone())
            .await
            .unwrap();
    }
    let at = now();
    assert!(
        uploads
            .resumable_upload(&contact, stale.id, begun + Duration::hours(1))
            .await
            .unwrap()
            .is_some(),
        "alive before its expiry"
    );
    assert_eq!(
        uploads
            .resumable_upload(&contact, stale.id, at)
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
            .resumable_upload(&contact, stale.id, begun + Duration::hours(1))
            .await
            .unwrap()
            .is_none(),
        "swept"
    );
    assert!(
        uploads
            .resumable_upload(&contact, fresh.id, at)
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
            &uploads.create_resumable_upload(&contact, upload).await,
            Some(field),
        );
    }
    let system = TenantScope::dangerous_system(contact.tenant_id());
    assert_invalid(
        &uploads
            .create_resumable_upload(&system, with(&|_| {}))
            .await,
        Some("scope"),
    );
    let taken = with(&|_| {});
    uploads
        .create_resumable_upload(&contact, taken.clone())
        .await
        .unwrap();
    assert_conflict(&uploads.create_resumable_upload(&staff, taken).await);
    let (elsewhere, _, _) = setting(h, "Initech").await;
    assert_not_found(
        &uploads
            .create_resumable_upload(
                &contact,
                with(&|upload| {
                    upload.target = UploadTarget::NextVersion {
                        document: elsewhere.document,
                    };
                }),
            )
            .await,
    );
}
