use portal_core::model::{
    NewDecision, NewDocument, NewMessage, NewRequest, NewTask, NewUpdate, TaskOwner, ThreadSubject,
};
use portal_core::state::{RequestStatus, Sha256Digest, TaskStatus};
use portal_core::{BuiltinRole, DomainError, Visibility};
use portal_storage::{DocumentFilter, Page, StoreError};
use time::macros::date;

use crate::Harness;
use crate::stores::fixtures::{client, ctx, member, name, new_version, tenant, work};

fn page() -> Page {
    Page::first(200).unwrap()
}

pub async fn document_versions_are_numbered(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let work = work(stores, &manager, client, "a").await;
    let second = stores
        .documents
        .add_version(
            &manager,
            work.document,
            new_version(acme.id, Sha256Digest::from_bytes([9; 32])),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(second.number, 2);
    let document = stores
        .documents
        .document(&contact, work.document)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(document.current_version, Some(second.id));
    let versions = stores
        .documents
        .list_versions(&contact, work.document, page())
        .await
        .unwrap();
    let numbers: Vec<i32> = versions.items.iter().map(|v| v.number).collect();
    assert_eq!(numbers, vec![2, 1], "newest first");
    assert_eq!(
        stores
            .documents
            .version(&contact, work.version)
            .await
            .unwrap()
            .unwrap()
            .sha256,
        work.version_sha
    );
    let renamed = stores
        .documents
        .rename_document(&manager, work.document, name("Renamed"), &ctx())
        .await
        .unwrap();
    assert_eq!(renamed.title.as_str(), "Renamed");
    let by_contact = stores
        .documents
        .rename_document(&contact, work.document, name("Mine"), &ctx())
        .await;
    assert!(
        matches!(by_contact, Err(StoreError::Forbidden(_))),
        "{by_contact:?}"
    );
    stores
        .documents
        .set_document_visibility(&manager, work.document, Visibility::Internal, &ctx())
        .await
        .unwrap();
    assert!(
        stores
            .documents
            .document(&contact, work.document)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        stores
            .documents
            .version(&contact, second.id)
            .await
            .unwrap()
            .is_none(),
        "versions follow their document"
    );
}

pub async fn contacts_upload_shared_documents(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, approver) = member(stores, acme.id, BuiltinRole::Approver, &[client]).await;
    let (_, viewer) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let upload = |visibility| NewDocument {
        client,
        project: None,
        title: name("Purchase order"),
        visibility,
    };
    let document = stores
        .documents
        .create_document(&approver, upload(Visibility::Shared), &ctx())
        .await
        .unwrap();
    stores
        .documents
        .add_version(
            &approver,
            document.id,
            new_version(acme.id, Sha256Digest::from_bytes([3; 32])),
            &ctx(),
        )
        .await
        .unwrap();
    match stores
        .documents
        .create_document(&approver, upload(Visibility::Internal), &ctx())
        .await
    {
        Ok(document) => assert_eq!(
            document.visibility,
            Visibility::Shared,
            "a contact's upload is always shared"
        ),
        Err(error) => assert!(matches!(error, StoreError::Forbidden(_)), "{error:?}"),
    }
    let by_viewer = stores
        .documents
        .create_document(&viewer, upload(Visibility::Shared), &ctx())
        .await;
    assert!(
        matches!(by_viewer, Err(StoreError::Forbidden(_))),
        "{by_viewer:?}"
    );
    let listed = stores
        .documents
        .list_documents(
            &manager,
            DocumentFilter {
                client: Some(client),
                project: None,
            },
            page(),
        )
        .await
        .unwrap();
    assert!(listed.items.iter().any(|d| d.id == document.id));
    assert!(
        listed
            .items
            .iter()
            .all(|d| d.visibility == Visibility::Shared)
    );
}

pub async fn updates_decisions_and_tasks(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, approver) = member(stores, acme.id, BuiltinRole::Approver, &[client]).await;
    let (_, viewer) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let work = work(stores, &manager, client, "a").await;

    let update = stores
        .updates
        .create_update(
            &manager,
            NewUpdate {
                project: work.project,
                title: name("Week 1"),
                body: "Done: kick-off".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(
        stores
            .updates
            .update(&viewer, update.id)
            .await
            .unwrap()
            .is_none(),
        "a draft update is internal"
    );
    stores
        .updates
        .set_update_visibility(&manager, update.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    assert_eq!(
        stores
            .updates
            .list_updates(&viewer, Some(work.project), page())
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    let decision = stores
        .decisions
        .create_decision(
            &manager,
            NewDecision {
                project: work.project,
                title: name("Use PostgreSQL"),
                body: "Agreed in the call".into(),
                decided_on: date!(2026 - 11 - 20),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(
        stores
            .decisions
            .list_decisions(&viewer, None, page())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    stores
        .decisions
        .set_decision_visibility(&manager, decision.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    assert_eq!(
        stores
            .decisions
            .decision(&viewer, decision.id)
            .await
            .unwrap()
            .unwrap()
            .decided_on,
        date!(2026 - 11 - 20)
    );

    let new_task = |owner| NewTask {
        project: work.project,
        title: name("Send the logo"),
        owner,
        assignee: None,
        due_on: None,
    };
    let client_task = stores
        .tasks
        .create_task(&manager, new_task(TaskOwner::Client), &ctx())
        .await
        .unwrap();
    let team_task = stores
        .tasks
        .create_task(&manager, new_task(TaskOwner::Team), &ctx())
        .await
        .unwrap();
    for task in [client_task.id, team_task.id] {
        stores
            .tasks
            .set_task_visibility(&manager, task, Visibility::Shared, &ctx())
            .await
            .unwrap();
    }
    let done = stores
        .tasks
        .set_task_status(&approver, client_task.id, TaskStatus::Done, &ctx())
        .await
        .unwrap();
    assert_eq!(done.status, TaskStatus::Done);
    let not_theirs = stores
        .tasks
        .set_task_status(&approver, team_task.id, TaskStatus::Done, &ctx())
        .await;
    assert!(
        matches!(not_theirs, Err(StoreError::Forbidden(_))),
        "a contact completes only the client's tasks: {not_theirs:?}"
    );
    let by_viewer = stores
        .tasks
        .set_task_status(&viewer, client_task.id, TaskStatus::Open, &ctx())
        .await;
    assert!(
        matches!(by_viewer, Err(StoreError::Forbidden(_))),
        "{by_viewer:?}"
    );
    let again = stores
        .tasks
        .set_task_status(&approver, client_task.id, TaskStatus::Done, &ctx())
        .await;
    assert!(
        matches!(
            again,
            Err(StoreError::Invalid(DomainError::InvalidTransition(_)))
        ),
        "{again:?}"
    );
    assert_eq!(
        stores
            .tasks
            .list_tasks(&viewer, Some(work.project), page())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
}

pub async fn requests_flow(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, approver) = member(stores, acme.id, BuiltinRole::Approver, &[client]).await;
    let (_, viewer) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let new_request = NewRequest {
        client,
        project: None,
        title: name("New landing page"),
        body: "For the spring campaign".into(),
    };
    let request = stores
        .requests
        .submit_request(&approver, new_request.clone(), &ctx())
        .await
        .unwrap();
    assert_eq!(request.status, RequestStatus::Open);
    assert_eq!(request.visibility, Visibility::Shared);
    let by_viewer = stores
        .requests
        .submit_request(&viewer, new_request, &ctx())
        .await;
    assert!(
        matches!(by_viewer, Err(StoreError::Forbidden(_))),
        "{by_viewer:?}"
    );
    let by_contact = stores
        .requests
        .move_request(&approver, request.id, RequestStatus::InProgress, &ctx())
        .await;
    assert!(
        matches!(by_contact, Err(StoreError::Forbidden(_))),
        "{by_contact:?}"
    );
    stores
        .requests
        .move_request(&manager, request.id, RequestStatus::InProgress, &ctx())
        .await
        .unwrap();
    let resolved = stores
        .requests
        .move_request(&manager, request.id, RequestStatus::Resolved, &ctx())
        .await
        .unwrap();
    assert_eq!(resolved.status, RequestStatus::Resolved);
    let reopened = stores
        .requests
        .move_request(&approver, request.id, RequestStatus::Open, &ctx())
        .await
        .unwrap();
    assert_eq!(
        reopened.status,
        RequestStatus::Open,
        "the client may reopen a resolved request"
    );
    let listed = stores
        .requests
        .list_requests(&viewer, Some(RequestStatus::Open), page())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
}

pub async fn internal_messages_stay_internal(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, approver) = member(stores, acme.id, BuiltinRole::Approver, &[client]).await;
    let (_, viewer) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let work = work(stores, &manager, client, "a").await;
    let subject = ThreadSubject::Project(work.project);
    let message = |body: &str, visibility| NewMessage {
        subject,
        body: body.into(),
        visibility,
    };
    stores
        .threads
        .post_message(
            &manager,
            message("internal: client is slow to pay", Visibility::Internal),
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .threads
        .post_message(
            &manager,
            message("Kick-off is on Monday", Visibility::Shared),
            &ctx(),
        )
        .await
        .unwrap();
    let from_contact = stores
        .threads
        .post_message(&approver, message("Thanks!", Visibility::Internal), &ctx())
        .await;
    match from_contact {
        Ok(posted) => assert_eq!(
            posted.visibility,
            Visibility::Shared,
            "a contact's message is always shared"
        ),
        Err(error) => assert!(matches!(error, StoreError::Forbidden(_)), "{error:?}"),
    }
    let by_viewer = stores
        .threads
        .post_message(&viewer, message("Hi", Visibility::Shared), &ctx())
        .await;
    assert!(
        matches!(by_viewer, Err(StoreError::Forbidden(_))),
        "viewers do not comment: {by_viewer:?}"
    );
    let seen_by_contact = stores
        .threads
        .list_messages(&viewer, subject, page())
        .await
        .unwrap();
    assert!(
        seen_by_contact
            .items
            .iter()
            .all(|m| m.visibility == Visibility::Shared)
    );
    assert!(
        !seen_by_contact
            .items
            .iter()
            .any(|m| m.body.contains("slow to pay"))
    );
    let seen_by_staff = stores
        .threads
        .list_messages(&manager, subject, page())
        .await
        .unwrap();
    assert!(
        seen_by_staff
            .items
            .iter()
            .any(|m| m.body.contains("slow to pay"))
    );
    assert!(
        stores
            .threads
            .thread(&viewer, subject)
            .await
            .unwrap()
            .is_some()
    );
    let hidden_subject = ThreadSubject::Project(work.internal_project);
    let on_hidden = stores
        .threads
        .post_message(
            &approver,
            NewMessage {
                subject: hidden_subject,
                body: "?".into(),
                visibility: Visibility::Shared,
            },
            &ctx(),
        )
        .await;
    assert!(
        matches!(on_hidden, Err(StoreError::NotFound)),
        "{on_hidden:?}"
    );
}

pub async fn stored_bytes_count_every_version_of_the_tenant(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let globex = tenant(stores, "Globex").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let (_, other) = member(stores, globex.id, BuiltinRole::Manager, &[]).await;
    assert_eq!(stores.documents.stored_bytes(&manager).await.unwrap(), 0);
    let own = client(stores, &manager, "Client").await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::Viewer, &[own]).await;
    let first = work(stores, &manager, own, "a").await;
    stores
        .documents
        .add_version(
            &manager,
            first.document,
            new_version(acme.id, Sha256Digest::from_bytes([7; 32])),
            &ctx(),
        )
        .await
        .unwrap();
    let globex_client = client(stores, &other, "Theirs").await;
    work(stores, &other, globex_client, "b").await;
    // Two versions of 1234 bytes in acme, whoever asks in acme; globex's own are separate.
    assert_eq!(stores.documents.stored_bytes(&manager).await.unwrap(), 2468);
    assert_eq!(stores.documents.stored_bytes(&contact).await.unwrap(), 2468);
    assert_eq!(stores.documents.stored_bytes(&other).await.unwrap(), 1234);
}

pub async fn a_document_and_its_first_version_are_created_together(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[client]).await;
    let upload = || NewDocument {
        client,
        project: None,
        title: name("Signed contract"),
        visibility: Visibility::Shared,
    };
    let listed = |scope| async move {
        stores
            .documents
            .list_documents(
                scope,
                DocumentFilter {
                    client: Some(client),
                    project: None,
                },
                page(),
            )
            .await
            .unwrap()
            .items
    };

    let first = new_version(acme.id, Sha256Digest::from_bytes([5; 32]));
    let (document, version) = stores
        .documents
        .create_document_with_version(&contact, upload(), first.clone(), &ctx())
        .await
        .unwrap();
    assert_eq!(version.number, 1);
    assert_eq!(version.document, document.id);
    assert_eq!(document.current_version, Some(version.id));
    let stored = stores
        .documents
        .document(&manager, document.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, document);
    assert_eq!(listed(&manager).await.len(), 1);

    // A version the store refuses (its blob already recorded, an empty key, a negative size)
    // leaves no document behind.
    let mut empty_key = new_version(acme.id, Sha256Digest::from_bytes([6; 32]));
    empty_key.blob_key = String::new();
    let mut negative = new_version(acme.id, Sha256Digest::from_bytes([7; 32]));
    negative.size = -1;
    for refused in [first, empty_key, negative] {
        let result = stores
            .documents
            .create_document_with_version(&contact, upload(), refused, &ctx())
            .await;
        assert!(
            matches!(
                result,
                Err(StoreError::Conflict { .. } | StoreError::Invalid(_))
            ),
            "{result:?}"
        );
    }
    // So does a document the caller may not create.
    let (_, viewer) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let by_viewer = stores
        .documents
        .create_document_with_version(
            &viewer,
            upload(),
            new_version(acme.id, Sha256Digest::from_bytes([8; 32])),
            &ctx(),
        )
        .await;
    assert!(
        matches!(by_viewer, Err(StoreError::Forbidden(_))),
        "{by_viewer:?}"
    );
    assert_eq!(
        listed(&manager).await.len(),
        1,
        "a refused upload left a document"
    );
}
