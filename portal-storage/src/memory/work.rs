//! Projects, milestones and deliverables.

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, Client, Deliverable, DeliverableInput, Milestone, MilestoneInput, Project,
    ProjectInput,
};
use portal_core::state::{DeliverableStatus, MilestoneStatus};
use portal_core::{
    DeliverableId, MilestoneId, Permission, ProjectId, ResourceFacts, StateMachine, TenantScope,
    Visibility,
};
use serde_json::json;
use time::OffsetDateTime;

use super::view::Stored;
use super::{MemoryStore, State, now, object, require_external_id};
use crate::rules::{self, events, fixed};
use crate::traits::{
    DeliverableStore, MilestoneStore, ProjectFilter, ProjectProgress, ProjectStore, Upserted,
};
use crate::{Page, Paged, StoreResult};

impl State {
    fn create_project(
        &mut self,
        scope: &TenantScope,
        input: ProjectInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Project> {
        let client = self.found::<Client>(scope, input.client)?;
        rules::require_in_client(
            scope,
            Permission::ManageProjects,
            client.id,
            Visibility::Internal,
        )?;
        self.ensure_external_id_free::<Project>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            None,
        )?;
        let project = rules::new_project(scope.tenant_id(), input, now);
        self.put(project.clone());
        self.audit(
            scope,
            events::PROJECT_CREATED,
            object("project", project.id.as_uuid()),
            json!({ "client": project.client }),
            context,
            now,
        );
        Ok(project)
    }

    fn update_project(
        &mut self,
        scope: &TenantScope,
        id: ProjectId,
        input: ProjectInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Project> {
        let current = self.load::<Project>(scope, Permission::ManageProjects, id)?;
        if input.client != current.client {
            return Err(fixed("client"));
        }
        self.ensure_external_id_free::<Project>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            Some(id),
        )?;
        let Some(next) = rules::edited_project(&current, input, now) else {
            return Ok(current);
        };
        self.put(next.clone());
        self.audit(
            scope,
            events::PROJECT_UPDATED,
            object("project", id.as_uuid()),
            json!({ "status": next.status }),
            context,
            now,
        );
        Ok(next)
    }

    fn upsert_project(
        &mut self,
        scope: &TenantScope,
        input: ProjectInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Upserted<Project>> {
        let external_id = require_external_id(input.external_id.as_deref())?;
        match self
            .by_external_id::<Project>(scope.tenant_id(), external_id)
            .map(|project| project.id)
        {
            Some(id) => Ok(Upserted {
                record: self.update_project(scope, id, input, context, now)?,
                created: false,
            }),
            None => Ok(Upserted {
                record: self.create_project(scope, input, context, now)?,
                created: true,
            }),
        }
    }

    fn list_project_progress(
        &self,
        scope: &TenantScope,
        filter: ProjectFilter,
        page: Page,
    ) -> Paged<ProjectProgress> {
        let projects = self.list_projects(scope, filter, page);
        let items = projects
            .items
            .into_iter()
            .map(|project| {
                let visible: Vec<&Milestone> = self
                    .milestones
                    .values()
                    .filter(|milestone| {
                        milestone.tenant == project.tenant
                            && milestone.project == project.id
                            && rules::require(
                                scope,
                                Permission::ViewMilestones,
                                &milestone.facts_in(self),
                            )
                            .is_ok()
                    })
                    .collect();
                let completed = visible
                    .iter()
                    .filter(|milestone| milestone.status == MilestoneStatus::Completed)
                    .count();
                ProjectProgress {
                    project,
                    milestones_total: i64::try_from(visible.len()).unwrap_or(i64::MAX),
                    milestones_completed: i64::try_from(completed).unwrap_or(i64::MAX),
                }
            })
            .collect();
        Paged {
            items,
            next: projects.next,
        }
    }

    fn list_projects(
        &self,
        scope: &TenantScope,
        filter: ProjectFilter,
        page: Page,
    ) -> Paged<Project> {
        self.list::<Project>(scope, Permission::ViewProjects, page, |project| {
            filter.client.is_none_or(|client| project.client == client)
                && filter.status.is_none_or(|status| project.status == status)
        })
    }

    fn create_milestone(
        &mut self,
        scope: &TenantScope,
        input: MilestoneInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Milestone> {
        let project = self.found::<Project>(scope, input.project)?;
        let facts =
            ResourceFacts::of_client(scope.tenant_id(), project.client, Visibility::Internal);
        rules::require(scope, Permission::ManageMilestones, &facts)?;
        self.ensure_external_id_free::<Milestone>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            None,
        )?;
        let milestone = rules::new_milestone(scope.tenant_id(), &project, input, now);
        self.put(milestone.clone());
        self.audit(
            scope,
            events::MILESTONE_CREATED,
            object("milestone", milestone.id.as_uuid()),
            json!({ "project": milestone.project }),
            context,
            now,
        );
        Ok(milestone)
    }

    fn update_milestone(
        &mut self,
        scope: &TenantScope,
        id: MilestoneId,
        input: MilestoneInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Milestone> {
        let current = self.load::<Milestone>(scope, Permission::ManageMilestones, id)?;
        if input.project != current.project {
            return Err(fixed("project"));
        }
        self.ensure_external_id_free::<Milestone>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            Some(id),
        )?;
        let Some(next) = rules::edited_milestone(&current, input) else {
            return Ok(current);
        };
        self.put(next.clone());
        self.audit(
            scope,
            events::MILESTONE_UPDATED,
            object("milestone", id.as_uuid()),
            json!({ "project": next.project }),
            context,
            now,
        );
        Ok(next)
    }

    fn move_milestone(
        &mut self,
        scope: &TenantScope,
        id: MilestoneId,
        to: MilestoneStatus,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Milestone> {
        let current = self.load::<Milestone>(scope, Permission::ManageMilestones, id)?;
        let status = current.status.transition(to)?;
        let next = Milestone {
            status,
            ..current.clone()
        };
        self.put(next.clone());
        self.audit(
            scope,
            events::MILESTONE_MOVED,
            object("milestone", id.as_uuid()),
            json!({ "from": current.status, "to": status }),
            context,
            now,
        );
        self.enqueue(
            scope.tenant_id(),
            events::MILESTONE_MOVED,
            json!({
                "milestone": id,
                "project": next.project,
                "client": next.client,
                "status": status,
            }),
            now,
        );
        Ok(next)
    }

    fn upsert_milestone(
        &mut self,
        scope: &TenantScope,
        input: MilestoneInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Upserted<Milestone>> {
        let external_id = require_external_id(input.external_id.as_deref())?;
        self.found::<Project>(scope, input.project)?;
        match self
            .by_external_id::<Milestone>(scope.tenant_id(), external_id)
            .map(|milestone| milestone.id)
        {
            Some(id) => Ok(Upserted {
                record: self.update_milestone(scope, id, input, context, now)?,
                created: false,
            }),
            None => Ok(Upserted {
                record: self.create_milestone(scope, input, context, now)?,
                created: true,
            }),
        }
    }

    fn create_deliverable(
        &mut self,
        scope: &TenantScope,
        input: DeliverableInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Deliverable> {
        let milestone = self.found::<Milestone>(scope, input.milestone)?;
        let facts =
            ResourceFacts::of_client(scope.tenant_id(), milestone.client, Visibility::Internal);
        rules::require(scope, Permission::ManageDeliverables, &facts)?;
        self.ensure_external_id_free::<Deliverable>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            None,
        )?;
        let deliverable = rules::new_deliverable(scope.tenant_id(), &milestone, input, now);
        self.put(deliverable.clone());
        self.audit(
            scope,
            events::DELIVERABLE_CREATED,
            object("deliverable", deliverable.id.as_uuid()),
            json!({ "milestone": deliverable.milestone }),
            context,
            now,
        );
        Ok(deliverable)
    }

    fn update_deliverable(
        &mut self,
        scope: &TenantScope,
        id: DeliverableId,
        input: DeliverableInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Deliverable> {
        let current = self.load::<Deliverable>(scope, Permission::ManageDeliverables, id)?;
        if input.milestone != current.milestone {
            return Err(fixed("milestone"));
        }
        self.ensure_external_id_free::<Deliverable>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            Some(id),
        )?;
        let Some(next) = rules::edited_deliverable(&current, input) else {
            return Ok(current);
        };
        self.put(next.clone());
        self.audit(
            scope,
            events::DELIVERABLE_UPDATED,
            object("deliverable", id.as_uuid()),
            json!({ "milestone": next.milestone }),
            context,
            now,
        );
        Ok(next)
    }

    fn move_deliverable(
        &mut self,
        scope: &TenantScope,
        id: DeliverableId,
        to: DeliverableStatus,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Deliverable> {
        let current = self.load::<Deliverable>(scope, Permission::ManageDeliverables, id)?;
        crate::rules::manual_deliverable_move(to)?;
        let status = current.status.transition(to)?;
        let next = Deliverable {
            status,
            ..current.clone()
        };
        self.put(next.clone());
        self.audit(
            scope,
            events::DELIVERABLE_MOVED,
            object("deliverable", id.as_uuid()),
            json!({ "from": current.status, "to": status }),
            context,
            now,
        );
        Ok(next)
    }

    fn upsert_deliverable(
        &mut self,
        scope: &TenantScope,
        input: DeliverableInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Upserted<Deliverable>> {
        let external_id = require_external_id(input.external_id.as_deref())?;
        self.found::<Milestone>(scope, input.milestone)?;
        match self
            .by_external_id::<Deliverable>(scope.tenant_id(), external_id)
            .map(|deliverable| deliverable.id)
        {
            Some(id) => Ok(Upserted {
                record: self.update_deliverable(scope, id, input, context, now)?,
                created: false,
            }),
            None => Ok(Upserted {
                record: self.create_deliverable(scope, input, context, now)?,
                created: true,
            }),
        }
    }
}

#[async_trait]
impl ProjectStore for MemoryStore {
    async fn create_project(
        &self,
        scope: &TenantScope,
        project: ProjectInput,
        audit: &AuditContext,
    ) -> StoreResult<Project> {
        self.with_mut(|state| state.create_project(scope, project, audit, now()))
    }

    async fn project(&self, scope: &TenantScope, id: ProjectId) -> StoreResult<Option<Project>> {
        self.with(|state| state.read::<Project>(scope, Permission::ViewProjects, id))
    }

    async fn project_by_external_id(
        &self,
        scope: &TenantScope,
        external_id: &str,
    ) -> StoreResult<Option<Project>> {
        self.with(|state| {
            let Some(project) = state.by_external_id::<Project>(scope.tenant_id(), external_id)
            else {
                return Ok(None);
            };
            state.read::<Project>(scope, Permission::ViewProjects, project.id)
        })
    }

    async fn list_projects(
        &self,
        scope: &TenantScope,
        filter: ProjectFilter,
        page: Page,
    ) -> StoreResult<Paged<Project>> {
        Ok(self.with(|state| state.list_projects(scope, filter, page)))
    }

    async fn list_project_progress(
        &self,
        scope: &TenantScope,
        filter: ProjectFilter,
        page: Page,
    ) -> StoreResult<Paged<ProjectProgress>> {
        Ok(self.with(|state| state.list_project_progress(scope, filter, page)))
    }

    async fn update_project(
        &self,
        scope: &TenantScope,
        id: ProjectId,
        project: ProjectInput,
        audit: &AuditContext,
    ) -> StoreResult<Project> {
        self.with_mut(|state| state.update_project(scope, id, project, audit, now()))
    }

    async fn set_project_visibility(
        &self,
        scope: &TenantScope,
        id: ProjectId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Project> {
        self.with_mut(|state| state.set_visibility::<Project>(scope, id, visibility, audit))
    }

    async fn upsert_project(
        &self,
        scope: &TenantScope,
        project: ProjectInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Project>> {
        self.with_mut(|state| state.upsert_project(scope, project, audit, now()))
    }
}

#[async_trait]
impl MilestoneStore for MemoryStore {
    async fn create_milestone(
        &self,
        scope: &TenantScope,
        milestone: MilestoneInput,
        audit: &AuditContext,
    ) -> StoreResult<Milestone> {
        self.with_mut(|state| state.create_milestone(scope, milestone, audit, now()))
    }

    async fn milestone(
        &self,
        scope: &TenantScope,
        id: MilestoneId,
    ) -> StoreResult<Option<Milestone>> {
        self.with(|state| state.read::<Milestone>(scope, Permission::ViewMilestones, id))
    }

    async fn milestone_by_external_id(
        &self,
        scope: &TenantScope,
        external_id: &str,
    ) -> StoreResult<Option<Milestone>> {
        self.with(|state| {
            let Some(milestone) = state.by_external_id::<Milestone>(scope.tenant_id(), external_id)
            else {
                return Ok(None);
            };
            state.read::<Milestone>(scope, Permission::ViewMilestones, milestone.id)
        })
    }

    async fn list_milestones(
        &self,
        scope: &TenantScope,
        project: ProjectId,
        page: Page,
    ) -> StoreResult<Paged<Milestone>> {
        self.with(|state| {
            let parent = state.found::<Project>(scope, project)?;
            rules::require(scope, Permission::ViewMilestones, &parent.facts_in(state))?;
            Ok(
                state.list::<Milestone>(scope, Permission::ViewMilestones, page, |milestone| {
                    milestone.project == project
                }),
            )
        })
    }

    async fn update_milestone(
        &self,
        scope: &TenantScope,
        id: MilestoneId,
        milestone: MilestoneInput,
        audit: &AuditContext,
    ) -> StoreResult<Milestone> {
        self.with_mut(|state| state.update_milestone(scope, id, milestone, audit, now()))
    }

    async fn move_milestone(
        &self,
        scope: &TenantScope,
        id: MilestoneId,
        to: MilestoneStatus,
        audit: &AuditContext,
    ) -> StoreResult<Milestone> {
        self.with_mut(|state| state.move_milestone(scope, id, to, audit, now()))
    }

    async fn set_milestone_visibility(
        &self,
        scope: &TenantScope,
        id: MilestoneId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Milestone> {
        self.with_mut(|state| state.set_visibility::<Milestone>(scope, id, visibility, audit))
    }

    async fn upsert_milestone(
        &self,
        scope: &TenantScope,
        milestone: MilestoneInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Milestone>> {
        self.with_mut(|state| state.upsert_milestone(scope, milestone, audit, now()))
    }
}

#[async_trait]
impl DeliverableStore for MemoryStore {
    async fn create_deliverable(
        &self,
        scope: &TenantScope,
        deliverable: DeliverableInput,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable> {
        self.with_mut(|state| state.create_deliverable(scope, deliverable, audit, now()))
    }

    async fn deliverable(
        &self,
        scope: &TenantScope,
        id: DeliverableId,
    ) -> StoreResult<Option<Deliverable>> {
        self.with(|state| state.read::<Deliverable>(scope, Permission::ViewDeliverables, id))
    }

    async fn list_deliverables(
        &self,
        scope: &TenantScope,
        milestone: MilestoneId,
        page: Page,
    ) -> StoreResult<Paged<Deliverable>> {
        self.with(|state| {
            let parent = state.found::<Milestone>(scope, milestone)?;
            rules::require(scope, Permission::ViewDeliverables, &parent.facts_in(state))?;
            Ok(state.list::<Deliverable>(
                scope,
                Permission::ViewDeliverables,
                page,
                |deliverable| deliverable.milestone == milestone,
            ))
        })
    }

    async fn update_deliverable(
        &self,
        scope: &TenantScope,
        id: DeliverableId,
        deliverable: DeliverableInput,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable> {
        self.with_mut(|state| state.update_deliverable(scope, id, deliverable, audit, now()))
    }

    async fn move_deliverable(
        &self,
        scope: &TenantScope,
        id: DeliverableId,
        to: DeliverableStatus,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable> {
        self.with_mut(|state| state.move_deliverable(scope, id, to, audit, now()))
    }

    async fn set_deliverable_visibility(
        &self,
        scope: &TenantScope,
        id: DeliverableId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable> {
        self.with_mut(|state| state.set_visibility::<Deliverable>(scope, id, visibility, audit))
    }

    async fn upsert_deliverable(
        &self,
        scope: &TenantScope,
        deliverable: DeliverableInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Deliverable>> {
        self.with_mut(|state| state.upsert_deliverable(scope, deliverable, audit, now()))
    }
}

#[cfg(test)]
mod tests {
    use portal_core::model::{DeliverableInput, MilestoneInput};
    use portal_core::state::MilestoneStatus;
    use portal_core::{DomainError, Invalid, Visibility};

    use super::super::fixture::{World, ctx, name, project_input};
    use crate::traits::{
        AuditFilter, AuditStore, DeliverableStore, MilestoneStore, OutboxStore, ProjectFilter,
        ProjectStore,
    };
    use crate::{Page, StoreError};

    #[tokio::test]
    async fn a_published_milestone_of_a_draft_project_stays_hidden() {
        let world = World::new("vis").await;
        let project = world.project(Visibility::Internal).await;
        let milestone = world.milestone(&project, Visibility::Shared).await;
        let store = &world.store;

        assert_eq!(
            store.milestone(&world.contact, milestone.id).await.unwrap(),
            None
        );
        assert!(matches!(
            store
                .list_milestones(&world.contact, project.id, Page::default())
                .await,
            Err(StoreError::NotFound)
        ));
        let progress = store
            .list_project_progress(&world.contact, ProjectFilter::default(), Page::default())
            .await
            .unwrap();
        assert!(progress.items.is_empty());
        // Staff see it all the time.
        assert!(
            store
                .milestone(&world.owner, milestone.id)
                .await
                .unwrap()
                .is_some()
        );

        store
            .set_project_visibility(&world.owner, project.id, Visibility::Shared, &ctx())
            .await
            .unwrap();
        assert_eq!(
            store.milestone(&world.contact, milestone.id).await.unwrap(),
            Some(milestone.clone())
        );
        let listed = store
            .list_milestones(&world.contact, project.id, Page::default())
            .await
            .unwrap();
        assert_eq!(listed.items, vec![milestone.clone()]);

        // A hidden milestone hides its deliverables, even published ones.
        store
            .set_milestone_visibility(&world.owner, milestone.id, Visibility::Internal, &ctx())
            .await
            .unwrap();
        let deliverable = store
            .create_deliverable(
                &world.owner,
                DeliverableInput {
                    milestone: milestone.id,
                    title: name("Logo"),
                    due_on: None,
                    external_id: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        store
            .set_deliverable_visibility(&world.owner, deliverable.id, Visibility::Shared, &ctx())
            .await
            .unwrap();
        assert_eq!(
            store
                .deliverable(&world.contact, deliverable.id)
                .await
                .unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn progress_counts_only_visible_milestones() {
        let world = World::new("progress").await;
        let project = world.project(Visibility::Shared).await;
        let shown = world.milestone(&project, Visibility::Shared).await;
        world.milestone(&project, Visibility::Internal).await;
        for to in [MilestoneStatus::InProgress, MilestoneStatus::Completed] {
            world
                .store
                .move_milestone(&world.owner, shown.id, to, &ctx())
                .await
                .unwrap();
        }
        let seen = |scope| {
            let store = world.store.clone();
            async move {
                let page = store
                    .list_project_progress(&scope, ProjectFilter::default(), Page::default())
                    .await
                    .unwrap();
                let item = &page.items[0];
                (item.milestones_total, item.milestones_completed)
            }
        };
        assert_eq!(seen(world.contact.clone()).await, (1, 1));
        assert_eq!(seen(world.owner.clone()).await, (2, 1));
    }

    #[tokio::test]
    async fn an_illegal_move_is_invalid_and_changes_nothing() {
        let world = World::new("moves").await;
        let project = world.project(Visibility::Shared).await;
        let milestone = world.milestone(&project, Visibility::Shared).await;
        let err = world
            .store
            .move_milestone(
                &world.owner,
                milestone.id,
                MilestoneStatus::Completed,
                &ctx(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(DomainError::InvalidTransition(_))),
            "{err}"
        );
        let stored = world
            .store
            .milestone(&world.owner, milestone.id)
            .await
            .unwrap();
        assert_eq!(stored, Some(milestone));
    }

    #[tokio::test]
    async fn upserts_are_idempotent() {
        let world = World::new("upsert").await;
        let store = &world.store;
        let input = project_input(&world.client, Some("crm-1"));

        let first = store
            .upsert_project(&world.owner, input.clone(), &ctx())
            .await
            .unwrap();
        assert!(first.created);
        let events = |store: crate::MemoryStore, scope| async move {
            store
                .list_events(&scope, AuditFilter::default(), Page::first(200).unwrap())
                .await
                .unwrap()
                .items
                .len()
        };
        let before = events(store.clone(), world.owner.clone()).await;
        let second = store
            .upsert_project(&world.owner, input.clone(), &ctx())
            .await
            .unwrap();
        assert!(!second.created);
        assert_eq!(second.record, first.record);
        assert_eq!(events(store.clone(), world.owner.clone()).await, before);

        let renamed = store
            .upsert_project(
                &world.owner,
                portal_core::model::ProjectInput {
                    name: name("Relaunch, phase 2"),
                    ..input.clone()
                },
                &ctx(),
            )
            .await
            .unwrap();
        assert!(!renamed.created);
        assert_eq!(renamed.record.id, first.record.id);
        assert_eq!(renamed.record.name.as_str(), "Relaunch, phase 2");
        assert_eq!(events(store.clone(), world.owner.clone()).await, before + 1);

        for external_id in [None, Some(String::new()), Some("  ".to_owned())] {
            let err = store
                .upsert_project(
                    &world.owner,
                    portal_core::model::ProjectInput {
                        external_id,
                        ..input.clone()
                    },
                    &ctx(),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(&err, StoreError::Invalid(e) if e.field() == Some("external_id")
                    && matches!(e, DomainError::Validation { reason: Invalid::Empty, .. })),
                "{err}"
            );
        }
    }

    #[tokio::test]
    async fn a_child_upserted_under_a_foreign_parent_is_not_found() {
        let world = World::new("home").await;
        let other = World::in_store(world.store.clone(), "away").await;
        let foreign = other.project(Visibility::Shared).await;
        let err = world
            .store
            .upsert_milestone(
                &world.owner,
                MilestoneInput {
                    project: foreign.id,
                    title: name("Sneaky"),
                    due_on: None,
                    position: 0,
                    external_id: Some("m-1".to_owned()),
                },
                &ctx(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err}");
        // The same external id in another tenant is another record.
        let mine = world
            .store
            .upsert_project(
                &world.owner,
                project_input(&world.client, Some("x")),
                &ctx(),
            )
            .await
            .unwrap();
        let theirs = other
            .store
            .upsert_project(
                &other.owner,
                project_input(&other.client, Some("x")),
                &ctx(),
            )
            .await
            .unwrap();
        assert!(mine.created && theirs.created);
        assert_ne!(mine.record.id, theirs.record.id);
    }

    #[tokio::test]
    async fn another_tenants_scope_finds_nothing() {
        let world = World::new("mine").await;
        let other = World::in_store(world.store.clone(), "theirs").await;
        let project = world.project(Visibility::Shared).await;
        let store = &world.store;
        assert_eq!(store.project(&other.owner, project.id).await.unwrap(), None);
        assert_eq!(
            store.project(&other.system, project.id).await.unwrap(),
            None
        );
        let listed = store
            .list_projects(&other.system, ProjectFilter::default(), Page::default())
            .await
            .unwrap();
        assert!(listed.items.is_empty());
        for result in [
            store
                .set_project_visibility(&other.owner, project.id, Visibility::Internal, &ctx())
                .await,
            store
                .update_project(
                    &other.system,
                    project.id,
                    project_input(&world.client, None),
                    &ctx(),
                )
                .await,
        ] {
            assert!(matches!(result, Err(StoreError::NotFound)));
        }
        // Nothing of the first tenant leaked into the second one's outbox either.
        let outbox = store
            .list_outbox(&other.owner, Page::default())
            .await
            .unwrap();
        assert!(
            outbox
                .items
                .iter()
                .all(|event| event.tenant == other.tenant.id)
        );
    }

    #[tokio::test]
    async fn pages_run_newest_first_without_overlap() {
        let world = World::new("pages").await;
        let mut created = Vec::new();
        for _ in 0..5 {
            created.push(world.project(Visibility::Internal).await.id);
        }
        created.reverse();
        let mut seen = Vec::new();
        let mut page = Page::first(2).unwrap();
        loop {
            let paged = world
                .store
                .list_projects(&world.owner, ProjectFilter::default(), page)
                .await
                .unwrap();
            seen.extend(paged.items.iter().map(|project| project.id));
            match paged.next {
                Some(cursor) => page = page.after(Some(cursor)),
                None => break,
            }
        }
        assert_eq!(seen, created);
    }
}
