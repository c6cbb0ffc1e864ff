use portal_core::model::{DeliverableInput, MilestoneInput};
use portal_core::state::{DeliverableStatus, MilestoneStatus};
use portal_core::{BuiltinRole, ClientId, DomainError, ProjectId, Visibility};
use portal_storage::{Page, ProjectFilter, StoreError};

use crate::Harness;
use crate::stores::fixtures::{client, ctx, member, name, project_input, tenant, work};

fn page() -> Page {
    Page::first(200).unwrap()
}

pub async fn drafts_stay_internal_until_published(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let draft = stores
        .projects
        .create_project(&manager, project_input(client, "Draft"), &ctx())
        .await
        .unwrap();
    assert_eq!(
        draft.visibility,
        Visibility::Internal,
        "everything starts internal"
    );
    assert!(
        stores
            .projects
            .project(&contact, draft.id)
            .await
            .unwrap()
            .is_none()
    );
    let listed = stores
        .projects
        .list_projects(&contact, ProjectFilter::default(), page())
        .await
        .unwrap();
    assert!(listed.items.is_empty());
    let published = stores
        .projects
        .set_project_visibility(&manager, draft.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    assert_eq!(published.visibility, Visibility::Shared);
    assert_eq!(
        stores
            .projects
            .project(&contact, draft.id)
            .await
            .unwrap()
            .unwrap()
            .id,
        draft.id
    );
    stores
        .projects
        .set_project_visibility(&manager, draft.id, Visibility::Internal, &ctx())
        .await
        .unwrap();
    assert!(
        stores
            .projects
            .project(&contact, draft.id)
            .await
            .unwrap()
            .is_none(),
        "withdrawn again"
    );
}

pub async fn publishing_needs_the_permission(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, staff_member) = member(stores, acme.id, BuiltinRole::Member, &[client]).await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[client]).await;
    let project = stores
        .projects
        .create_project(&staff_member, project_input(client, "By a member"), &ctx())
        .await;
    assert!(
        matches!(project, Err(StoreError::Forbidden(_))),
        "members cannot create projects: {project:?}"
    );
    let project = stores
        .projects
        .create_project(&manager, project_input(client, "P"), &ctx())
        .await
        .unwrap();
    let by_member = stores
        .projects
        .set_project_visibility(&staff_member, project.id, Visibility::Shared, &ctx())
        .await;
    assert!(
        matches!(by_member, Err(StoreError::Forbidden(_))),
        "{by_member:?}"
    );
    let by_contact = stores
        .projects
        .set_project_visibility(&contact, project.id, Visibility::Shared, &ctx())
        .await;
    assert!(
        matches!(by_contact, Err(StoreError::NotFound)),
        "an internal project does not exist for a contact: {by_contact:?}"
    );
    assert_eq!(
        stores
            .projects
            .project(&manager, project.id)
            .await
            .unwrap()
            .unwrap()
            .visibility,
        Visibility::Internal
    );
}

pub async fn children_of_an_internal_project_stay_hidden(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[client]).await;
    let draft = stores
        .projects
        .create_project(&manager, project_input(client, "Draft"), &ctx())
        .await
        .unwrap();
    let milestone = stores
        .milestones
        .create_milestone(
            &manager,
            MilestoneInput {
                project: draft.id,
                title: name("Kick-off"),
                due_on: None,
                position: 1,
                external_id: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .milestones
        .set_milestone_visibility(&manager, milestone.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    assert!(
        stores
            .milestones
            .milestone(&contact, milestone.id)
            .await
            .unwrap()
            .is_none(),
        "a published milestone of an unpublished project stays hidden"
    );
    let listed = stores
        .milestones
        .list_milestones(&contact, draft.id, page())
        .await;
    assert!(
        matches!(&listed, Err(StoreError::NotFound))
            || listed.as_ref().is_ok_and(|p| p.items.is_empty()),
        "{listed:?}"
    );
    stores
        .projects
        .set_project_visibility(&manager, draft.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    assert!(
        stores
            .milestones
            .milestone(&contact, milestone.id)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        stores
            .milestones
            .list_milestones(&contact, draft.id, page())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

pub async fn project_progress_counts_visible_milestones(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let work = work(stores, &manager, client, "a").await;
    stores
        .milestones
        .move_milestone(
            &manager,
            work.milestone,
            MilestoneStatus::InProgress,
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .milestones
        .move_milestone(&manager, work.milestone, MilestoneStatus::Completed, &ctx())
        .await
        .unwrap();
    let for_staff = stores
        .projects
        .list_project_progress(&manager, ProjectFilter::default(), page())
        .await
        .unwrap();
    let shared = for_staff
        .items
        .iter()
        .find(|p| p.project.id == work.project)
        .unwrap();
    assert_eq!(
        (shared.milestones_total, shared.milestones_completed),
        (2, 1)
    );
    let internal = for_staff
        .items
        .iter()
        .find(|p| p.project.id == work.internal_project)
        .unwrap();
    assert_eq!(
        (internal.milestones_total, internal.milestones_completed),
        (0, 0)
    );
    let for_contact = stores
        .projects
        .list_project_progress(&contact, ProjectFilter::default(), page())
        .await
        .unwrap();
    assert_eq!(
        for_contact.items.len(),
        1,
        "the internal project is not listed"
    );
    let seen = &for_contact.items[0];
    assert_eq!(seen.project.id, work.project);
    assert_eq!(
        (seen.milestones_total, seen.milestones_completed),
        (1, 1),
        "the internal milestone is not counted"
    );
}

pub async fn state_machines_are_enforced(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let work = work(stores, &manager, client, "a").await;
    let skip = stores
        .milestones
        .move_milestone(&manager, work.milestone, MilestoneStatus::Completed, &ctx())
        .await;
    assert!(
        matches!(
            skip,
            Err(StoreError::Invalid(DomainError::InvalidTransition(_)))
        ),
        "{skip:?}"
    );
    assert_eq!(
        stores
            .milestones
            .milestone(&manager, work.milestone)
            .await
            .unwrap()
            .unwrap()
            .status,
        MilestoneStatus::Planned,
        "a refused move changes nothing"
    );
    let moved = stores
        .deliverables
        .move_deliverable(
            &manager,
            work.deliverable,
            DeliverableStatus::InProgress,
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(moved.status, DeliverableStatus::InProgress);
    let jump = stores
        .deliverables
        .move_deliverable(
            &manager,
            work.deliverable,
            DeliverableStatus::Delivered,
            &ctx(),
        )
        .await;
    assert!(
        matches!(
            jump,
            Err(StoreError::Invalid(DomainError::InvalidTransition(_)))
        ),
        "{jump:?}"
    );
}

pub async fn upserts_are_idempotent(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let client = client(stores, &admin, "Client").await;
    let input = portal_core::model::ProjectInput {
        external_id: Some("pm-1".into()),
        ..project_input(client, "Synced")
    };
    let first = stores
        .projects
        .upsert_project(&admin, input.clone(), &ctx())
        .await
        .unwrap();
    let second = stores
        .projects
        .upsert_project(&admin, input.clone(), &ctx())
        .await
        .unwrap();
    assert!(first.created && !second.created);
    assert_eq!(first.record.id, second.record.id);
    assert_eq!(
        second.record, first.record,
        "an identical upsert changes nothing"
    );
    let milestone = MilestoneInput {
        project: first.record.id,
        title: name("M"),
        due_on: None,
        position: 1,
        external_id: Some("pm-m1".into()),
    };
    let m1 = stores
        .milestones
        .upsert_milestone(&admin, milestone.clone(), &ctx())
        .await
        .unwrap();
    let m2 = stores
        .milestones
        .upsert_milestone(
            &admin,
            MilestoneInput {
                title: name("M renamed"),
                ..milestone
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(m1.created && !m2.created);
    assert_eq!(m2.record.title.as_str(), "M renamed");
    let deliverable = DeliverableInput {
        milestone: m1.record.id,
        title: name("D"),
        due_on: None,
        external_id: Some("pm-d1".into()),
    };
    let d1 = stores
        .deliverables
        .upsert_deliverable(&admin, deliverable.clone(), &ctx())
        .await
        .unwrap();
    let d2 = stores
        .deliverables
        .upsert_deliverable(&admin, deliverable, &ctx())
        .await
        .unwrap();
    assert_eq!(d1.record.id, d2.record.id);
    let projects = stores
        .projects
        .list_projects(&admin, ProjectFilter::default(), page())
        .await
        .unwrap();
    assert_eq!(projects.items.len(), 1);
}

pub async fn foreign_parents_are_not_found(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let other = tenant(stores, "Other").await;
    let (_, acme_manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let (_, other_manager) = member(stores, other.id, BuiltinRole::Manager, &[]).await;
    let other_client = client(stores, &other_manager, "Theirs").await;
    let other_project = stores
        .projects
        .create_project(
            &other_manager,
            project_input(other_client, "Theirs"),
            &ctx(),
        )
        .await
        .unwrap();
    let into_foreign_client = stores
        .projects
        .create_project(&acme_manager, project_input(other_client, "Mine"), &ctx())
        .await;
    assert!(
        matches!(into_foreign_client, Err(StoreError::NotFound)),
        "{into_foreign_client:?}"
    );
    let under_foreign_project = stores
        .milestones
        .create_milestone(
            &acme_manager,
            MilestoneInput {
                project: other_project.id,
                title: name("M"),
                due_on: None,
                position: 1,
                external_id: None,
            },
            &ctx(),
        )
        .await;
    assert!(
        matches!(under_foreign_project, Err(StoreError::NotFound)),
        "{under_foreign_project:?}"
    );
    let missing = stores
        .projects
        .project(&acme_manager, ProjectId::new())
        .await
        .unwrap();
    assert!(missing.is_none());
    let other_page = stores
        .milestones
        .list_milestones(&other_manager, other_project.id, page())
        .await
        .unwrap();
    assert!(
        other_page.items.is_empty(),
        "nothing was written into the other tenant"
    );
}

pub async fn edits_replace_the_writable_fields(h: &Harness) {
    use portal_core::model::{ClientInput, ProjectInput, ProjectStatus};
    use portal_core::{Currency, DateRange, Money, Side};
    use time::macros::date;

    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let client = client(stores, &admin, "Client").await;
    let (contact, contact_scope) = member(stores, acme.id, BuiltinRole::Approver, &[client]).await;
    let work = work(stores, &admin, client, "a").await;

    let edited_client = stores
        .clients
        .update_client(
            &admin,
            client,
            ClientInput {
                name: name("Client Ltd"),
                external_id: Some("crm-9".into()),
                branding: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            edited_client.name.as_str(),
            edited_client.external_id.as_deref()
        ),
        ("Client Ltd", Some("crm-9"))
    );

    let schedule = DateRange::new(date!(2026 - 01 - 05), date!(2026 - 06 - 30)).unwrap();
    let budget = Money::new(4_200_000, Currency::parse("EUR").unwrap());
    let project = stores
        .projects
        .update_project(
            &admin,
            work.project,
            ProjectInput {
                client,
                name: name("Relaunch"),
                description: "New site".into(),
                status: ProjectStatus::OnHold,
                schedule: Some(schedule),
                budget: Some(budget),
                external_id: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(project.name.as_str(), "Relaunch");
    assert_eq!(
        (project.status, project.schedule, project.budget),
        (ProjectStatus::OnHold, Some(schedule), Some(budget))
    );
    assert_eq!(
        stores
            .projects
            .project(&admin, work.project)
            .await
            .unwrap()
            .unwrap(),
        project,
        "reads back equal"
    );
    let moved = stores
        .projects
        .update_project(
            &admin,
            work.project,
            ProjectInput {
                client: ClientId::new(),
                ..project_input(client, "x")
            },
            &ctx(),
        )
        .await;
    assert!(moved.is_err(), "a project's client is fixed: {moved:?}");

    let milestone = stores
        .milestones
        .update_milestone(
            &admin,
            work.milestone,
            MilestoneInput {
                project: work.project,
                title: name("Design"),
                due_on: Some(date!(2026 - 02 - 01)),
                position: 7,
                external_id: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            milestone.title.as_str(),
            milestone.due_on,
            milestone.position
        ),
        ("Design", Some(date!(2026 - 02 - 01)), 7)
    );

    let deliverable = stores
        .deliverables
        .update_deliverable(
            &admin,
            work.deliverable,
            DeliverableInput {
                milestone: work.milestone,
                title: name("Mock-ups"),
                due_on: Some(date!(2026 - 01 - 20)),
                external_id: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(deliverable.title.as_str(), "Mock-ups");
    let listed = stores
        .deliverables
        .list_deliverables(&contact_scope, work.milestone, page())
        .await
        .unwrap();
    assert_eq!(
        listed.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![work.deliverable]
    );

    let renamed = stores
        .identities
        .rename_user(&contact_scope, contact, name("Grace H."), &ctx())
        .await
        .unwrap();
    assert_eq!(
        renamed.name.as_str(),
        "Grace H.",
        "users may rename themselves"
    );
    let contacts = stores
        .identities
        .list_users(&admin, Some(Side::Client), page())
        .await
        .unwrap();
    assert_eq!(
        contacts.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![contact]
    );
    let staff = stores
        .identities
        .list_users(&admin, Some(Side::Staff), page())
        .await
        .unwrap();
    assert!(staff.items.iter().all(|u| u.side == Side::Staff) && !staff.items.is_empty());
    let by_contact = stores
        .identities
        .list_users(&contact_scope, None, page())
        .await;
    assert!(
        matches!(by_contact, Err(StoreError::Forbidden(_))),
        "{by_contact:?}"
    );
}
