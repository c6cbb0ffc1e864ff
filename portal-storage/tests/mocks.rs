//! How a host application tests its own code against the portal's stores: build `Stores` from
//! the memory backend and swap in a mockall mock for the one store the test is about.
//!
//! Run with `cargo test -p portal-storage --features mock --test mocks`.

#![cfg(feature = "mock")]
#![allow(clippy::unwrap_used, reason = "test code")]

use std::sync::Arc;

use mockall::predicate::{always, eq};
use portal_core::model::{Project, ProjectStatus};
use portal_core::{ClientId, DisplayName, ProjectId, TenantId, TenantScope, Visibility};
use portal_storage::{
    MockProjectStore, Page, Paged, ProjectFilter, StoreError, StoreResult, Stores,
};
use time::OffsetDateTime;

/// The host's own code under test: a status line for a client's dashboard widget.
async fn project_summary(
    stores: &Stores,
    scope: &TenantScope,
    client: ClientId,
) -> StoreResult<String> {
    let filter = ProjectFilter {
        client: Some(client),
        status: Some(ProjectStatus::Active),
    };
    let projects = stores
        .projects
        .list_projects(scope, filter, Page::first(50)?)
        .await?;
    Ok(match projects.items.as_slice() {
        [] => "No active projects".to_owned(),
        [only] => format!("1 active project: {}", only.name),
        many => format!("{} active projects", many.len()),
    })
}

fn project(tenant: TenantId, client: ClientId, name: &str) -> Project {
    let now = OffsetDateTime::now_utc();
    Project {
        id: ProjectId::new(),
        tenant,
        client,
        name: DisplayName::parse(name).unwrap(),
        description: String::new(),
        status: ProjectStatus::Active,
        visibility: Visibility::Shared,
        schedule: None,
        budget: None,
        external_id: None,
        created_at: now,
        updated_at: now,
    }
}

#[tokio::test]
async fn a_host_test_mocks_one_store_and_keeps_the_rest() {
    let tenant = TenantId::new();
    let client = ClientId::new();
    let scope = TenantScope::dangerous_system(tenant);
    let listed = project(tenant, client, "Website relaunch");

    let mut projects = MockProjectStore::new();
    projects
        .expect_list_projects()
        .with(
            always(),
            eq(ProjectFilter {
                client: Some(client),
                status: Some(ProjectStatus::Active),
            }),
            always(),
        )
        .times(1)
        .returning(move |_, _, _| {
            Ok(Paged {
                items: vec![listed.clone()],
                next: None,
            })
        });

    let mut stores = Stores::memory();
    stores.projects = Arc::new(projects);

    assert_eq!(
        project_summary(&stores, &scope, client).await.unwrap(),
        "1 active project: Website relaunch"
    );
}

#[tokio::test]
async fn a_host_test_simulates_a_storage_failure() {
    let mut projects = MockProjectStore::new();
    projects
        .expect_list_projects()
        .returning(|_, _, _| Err(StoreError::backend(std::io::Error::other("disk full"))));
    let mut stores = Stores::memory();
    stores.projects = Arc::new(projects);
    let scope = TenantScope::dangerous_system(TenantId::new());
    let error = project_summary(&stores, &scope, ClientId::new())
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Backend(_)));
    assert_eq!(
        error.to_string(),
        "storage backend failed",
        "no detail reaches the message"
    );
}
