//! The project-export connector applied to a memory store: a first run creates the project,
//! its milestones and deliverables; running the same export again creates nothing; a changed
//! export updates what changed; bad rows and bad items fail alone.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

use std::path::PathBuf;

use portal_core::model::{AuditContext, Branding, NewTenant};
use portal_core::{
    DisplayName, HexColour, Membership, MembershipKind, Permission, Slug, TenantId, TenantScope,
    UserId,
};
use portal_storage::{Page, Stores};
use portal_sync::export::{ExportFormat, ProjectExportConfig, ProjectExportSource};
use portal_sync::{
    Batch, ClientItem, ClientKind, SyncError, SyncItem, SyncReport, SyncSource, run_source,
};

const CLIENT: &str = "crm-initech";
const PROJECT: &str = "asana:project:Website relaunch";

/// What an integration's API key holds for the sync API.
const SYNC: &[Permission] = &[
    Permission::AccessAllClients,
    Permission::ViewInternal,
    Permission::ManageClients,
    Permission::ManageProjects,
    Permission::ManageMilestones,
    Permission::ManageDeliverables,
    Permission::ManageInvoices,
    Permission::ViewProjects,
    Permission::ViewMilestones,
];

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A memory store with one tenant, and the scope of an integration of that tenant.
async fn world() -> (Stores, TenantId, TenantScope) {
    let stores = Stores::memory();
    let tenant = stores
        .tenants
        .create_tenant(NewTenant {
            slug: Slug::parse("acme").unwrap(),
            branding: Branding {
                display_name: DisplayName::parse("Acme Agency").unwrap(),
                logo_url: None,
                favicon_url: None,
                primary_colour: HexColour::parse("#123456").unwrap(),
                accent_colour: HexColour::parse("#abcdef").unwrap(),
                font: None,
                custom_css: None,
                email_sender_name: None,
                email_sender_address: None,
                default_locale: None,
            },
        })
        .await
        .unwrap()
        .id;
    let scope = TenantScope::from_membership(&Membership {
        tenant,
        user: UserId::new(),
        permissions: SYNC.iter().copied().collect(),
        kind: MembershipKind::Staff {
            assigned_clients: Vec::new(),
        },
    })
    .unwrap();
    (stores, tenant, scope)
}

/// Syncs the client the export's projects belong to.
async fn sync_client(stores: &Stores, scope: &TenantScope) {
    let mut batch = Batch::new(stores, scope, AuditContext::default());
    let applied = batch
        .apply(SyncItem::Client(ClientItem {
            kind: ClientKind::Client,
            external_id: CLIENT.to_owned(),
            name: "Initech".to_owned(),
        }))
        .await
        .unwrap();
    assert!(applied.created);
}

fn source(file: &str) -> ProjectExportSource {
    ProjectExportSource::new(ProjectExportConfig::new(data(file), CLIENT).with_name("asana"))
}

/// The deliverables of the project, as (title, due day, milestone title), in milestone order.
async fn deliverables(stores: &Stores, tenant: TenantId) -> Vec<(String, Option<String>, String)> {
    let system = TenantScope::dangerous_system(tenant);
    let page = Page::first(100).unwrap();
    let project = stores
        .projects
        .project_by_external_id(&system, PROJECT)
        .await
        .unwrap()
        .unwrap();
    let mut milestones = stores
        .milestones
        .list_milestones(&system, project.id, page)
        .await
        .unwrap()
        .items;
    milestones.sort_by_key(|milestone| milestone.position);
    let mut found = Vec::new();
    for milestone in milestones {
        let mut listed = stores
            .deliverables
            .list_deliverables(&system, milestone.id, page)
            .await
            .unwrap()
            .items;
        listed.sort_by(|a, b| a.external_id.cmp(&b.external_id));
        for deliverable in listed {
            found.push((
                deliverable.title.as_str().to_owned(),
                deliverable.due_on.map(|day| day.to_string()),
                milestone.title.as_str().to_owned(),
            ));
        }
    }
    found
}

fn counts(report: &SyncReport) -> (usize, usize, usize, usize) {
    (
        report.created,
        report.updated,
        report.failed,
        report.rejected.len(),
    )
}

#[tokio::test]
async fn a_csv_export_is_applied_once_and_a_second_run_creates_nothing() {
    let (stores, tenant, scope) = world().await;
    sync_client(&stores, &scope).await;

    let first = run_source(&source("asana-website.csv"), &stores, &scope)
        .await
        .unwrap();
    // 1 project, 3 milestones (Discovery, Design, No section), 5 tasks; the bad date is left out.
    assert_eq!(counts(&first), (9, 0, 0, 1), "{first:?}");
    assert_eq!(first.source, "asana");
    assert_eq!(first.batches, 1);
    let rejected = &first.rejected[0];
    assert_eq!((rejected.row, rejected.column.as_str()), (8, "Due Date"));
    let stored = deliverables(&stores, tenant).await;
    let owned = |rows: &[(&str, Option<&str>, &str)]| -> Vec<(String, Option<String>, String)> {
        rows.iter()
            .map(|(title, due, milestone)| {
                (
                    (*title).to_owned(),
                    due.map(str::to_owned),
                    (*milestone).to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        stored,
        owned(&[
            ("Stakeholder interviews", Some("2030-01-18"), "Discovery"),
            ("Research report, v1", Some("2030-01-31"), "Discovery"),
            ("Wireframes", Some("2030-02-20"), "Design"),
            ("Style guide", Some("2030-02-27"), "Design"),
            ("Kick-off notes", None, "No section"),
        ])
    );

    let second = run_source(&source("asana-website.csv"), &stores, &scope)
        .await
        .unwrap();
    assert_eq!(counts(&second), (0, 9, 0, 1), "idempotent: {second:?}");
    assert_eq!(deliverables(&stores, tenant).await, stored);

    // The tool moved on: a task renamed and moved, the bad date fixed, a task in a new section.
    let changed = run_source(&source("asana-website-changed.csv"), &stores, &scope)
        .await
        .unwrap();
    // Created: the fixed row's deliverable, the Launch milestone and its task.
    assert_eq!(counts(&changed), (3, 9, 0, 0), "{changed:?}");
    assert_eq!(
        deliverables(&stores, tenant).await,
        owned(&[
            ("Stakeholder interviews", Some("2030-01-18"), "Discovery"),
            ("Research report, final", Some("2030-02-03"), "Discovery"),
            ("Content audit", Some("2030-01-31"), "Discovery"),
            ("Wireframes", Some("2030-02-20"), "Design"),
            ("Style guide", Some("2030-02-27"), "Design"),
            ("Kick-off notes", None, "No section"),
            ("Launch checklist", Some("2030-03-15"), "Launch"),
        ])
    );
    // A milestone is due with its latest task.
    let discovery = stores
        .milestones
        .milestone_by_external_id(
            &TenantScope::dangerous_system(tenant),
            "asana:section:Website relaunch/Discovery",
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        discovery.due_on.map(|day| day.to_string()).as_deref(),
        Some("2030-02-03")
    );
}

#[tokio::test]
async fn the_json_export_gives_the_same_items_as_the_csv_export() {
    let csv = source("asana-website.csv").pull_report().await.unwrap();
    let json = source("asana-website.json").pull_report().await.unwrap();
    assert_eq!(json.items, csv.items);
    assert_eq!(json.items.len(), 9);
    assert_eq!(json.rejected.len(), 1);
    assert_eq!(
        (json.rejected[0].row, json.rejected[0].column.as_str()),
        (6, "due_on")
    );
    // Dependency order: the project, then milestones, then deliverables.
    let kinds: Vec<_> = json.items.iter().map(SyncItem::kind).collect();
    assert_eq!(
        kinds,
        [
            "project",
            "milestone",
            "milestone",
            "milestone",
            "deliverable",
            "deliverable",
            "deliverable",
            "deliverable",
            "deliverable"
        ]
    );

    let (stores, _, scope) = world().await;
    sync_client(&stores, &scope).await;
    let from_json = run_source(&source("asana-website.json"), &stores, &scope)
        .await
        .unwrap();
    assert_eq!(counts(&from_json), (9, 0, 0, 1));
    let from_csv = run_source(&source("asana-website.csv"), &stores, &scope)
        .await
        .unwrap();
    assert_eq!(counts(&from_csv), (0, 9, 0, 1), "one model, one set of ids");
}

#[tokio::test]
async fn items_of_an_unknown_client_fail_alone_and_are_reported() {
    let (stores, _, scope) = world().await;
    // No client synced: the project fails, and so does every child naming it.
    let report = run_source(&source("asana-website.csv"), &stores, &scope)
        .await
        .unwrap();
    assert_eq!(counts(&report), (0, 0, 9, 1));
    let first = &report.failures[0];
    assert_eq!((first.index, first.kind), (0, "project"));
    assert_eq!(first.external_id, PROJECT);
    assert!(
        matches!(&first.error, SyncError::Invalid { fields, .. } if fields == &["client_external_id"]),
        "{:?}",
        first.error
    );
    assert_eq!(report.failures[1].error.fields(), ["project_external_id"]);
    assert_eq!(report.failures[8].error.fields(), ["milestone_external_id"]);
}

#[tokio::test]
async fn a_large_export_is_applied_in_batches_of_1000() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.export");
    let mut body = String::from("Task ID,Name,Section/Column,Projects\n");
    for n in 0..2_400 {
        body.push_str(&format!(
            "{n},Task {n},Section {},Website relaunch\n",
            n % 3
        ));
    }
    std::fs::write(&path, body).unwrap();
    let source = ProjectExportSource::new(
        ProjectExportConfig::new(&path, CLIENT).with_format(ExportFormat::Csv),
    );
    let (stores, _, scope) = world().await;
    sync_client(&stores, &scope).await;
    let report = run_source(&source, &stores, &scope).await.unwrap();
    // 1 project + 3 milestones + 2,400 deliverables = 2,404 items: three batches.
    assert_eq!(counts(&report), (2_404, 0, 0, 0));
    assert_eq!(report.batches, 3);
}

#[tokio::test]
async fn an_unreadable_or_unnamed_file_fails_the_pull() {
    let missing = source("no-such-file.csv").pull().await.unwrap_err();
    assert!(
        matches!(missing, portal_sync::SourceError::Read { .. }),
        "{missing:?}"
    );
    let unknown = ProjectExportSource::new(ProjectExportConfig::new(data("notes.txt"), CLIENT))
        .pull()
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, portal_sync::SourceError::UnknownFormat { .. }),
        "{unknown:?}"
    );
}
