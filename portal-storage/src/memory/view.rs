//! What every read, write and list shares: rows bound to the scope's tenant, the effective
//! visibility of nested objects, and keyset pages.
//!
//! Effective visibility: an object is shown to a client only if it is shared *and* everything
//! it hangs under is shared — a published milestone of a draft project stays hidden, a document
//! version follows its document, a message needs its own shared flag and a visible subject.
//! The facts handed to `authorize` carry that effective visibility.

use std::collections::BTreeMap;
use std::ops::Bound;

use portal_core::model::{
    Approval, Client, Decision, Deliverable, Document, DocumentVersion, Invoice, Message,
    Milestone, Project, Request, ShareLink, ShareTarget, Task, ThreadSubject, Update,
};
use portal_core::{
    ApprovalId, ClientFilter, ClientId, DecisionId, DeliverableId, DocumentId, DocumentVersionId,
    InvoiceId, MessageId, MilestoneId, Permission, ProjectId, RequestId, ResourceFacts,
    Sensitivity, ShareLinkId, TaskId, TenantId, TenantScope, UpdateId, Visibility,
};
use uuid::Uuid;

use super::State;
use crate::rules::{self, ListRule};
use crate::{Page, Paged, StoreError, StoreResult};

/// A table of client-facing rows, each bound to a tenant and a client.
pub(super) trait Stored: Clone {
    /// The row's id type (a UUID v7 newtype, so its order is creation order).
    type Id: Ord + Copy;

    /// The table in the state.
    fn table(state: &State) -> &BTreeMap<Self::Id, Self>;

    /// The table in the state, to write.
    fn table_mut(state: &mut State) -> &mut BTreeMap<Self::Id, Self>;

    /// The id for a cursor's UUID.
    fn key(uuid: Uuid) -> Self::Id;

    /// The row's id as a UUID.
    fn uuid(&self) -> Uuid;

    /// The tenant the row belongs to.
    fn tenant(&self) -> TenantId;

    /// The facts `authorize` needs, with the effective visibility.
    fn facts_in(&self, state: &State) -> ResourceFacts;

    /// The feeding system's id, for the kinds that have one.
    fn external_id(&self) -> Option<&str> {
        None
    }
}

/// Shared only if both the object and what it hangs under are shared.
pub(super) const fn both(own: Visibility, parent: Visibility) -> Visibility {
    if own.is_shared() && parent.is_shared() {
        Visibility::Shared
    } else {
        Visibility::Internal
    }
}

impl State {
    /// A project's visibility (internal if it does not exist).
    pub(super) fn project_visibility(&self, id: ProjectId) -> Visibility {
        self.projects
            .get(&id)
            .map_or(Visibility::Internal, |project| project.visibility)
    }

    /// The visibility of an optional project: no project hides nothing.
    pub(super) fn optional_project_visibility(&self, id: Option<ProjectId>) -> Visibility {
        id.map_or(Visibility::Shared, |id| self.project_visibility(id))
    }

    /// A milestone's effective visibility.
    fn milestone_visibility(&self, id: MilestoneId) -> Visibility {
        self.milestones
            .get(&id)
            .map_or(Visibility::Internal, |milestone| {
                both(
                    milestone.visibility,
                    self.project_visibility(milestone.project),
                )
            })
    }

    /// The facts of the object a thread is about, with the permission that reads it; `None`
    /// if there is no such object in `tenant`.
    pub(super) fn subject_facts(
        &self,
        tenant: TenantId,
        subject: ThreadSubject,
    ) -> Option<(ResourceFacts, Permission)> {
        match subject {
            ThreadSubject::Project(id) => {
                self.facts_of::<Project>(tenant, id, Permission::ViewProjects)
            }
            ThreadSubject::Deliverable(id) => {
                self.facts_of::<Deliverable>(tenant, id, Permission::ViewDeliverables)
            }
            ThreadSubject::Document(id) => {
                self.facts_of::<Document>(tenant, id, Permission::ViewDocuments)
            }
            ThreadSubject::Approval(id) => {
                self.facts_of::<Approval>(tenant, id, Permission::ViewApprovals)
            }
            ThreadSubject::Request(id) => {
                self.facts_of::<Request>(tenant, id, Permission::ViewRequests)
            }
            ThreadSubject::Task(id) => self.facts_of::<Task>(tenant, id, Permission::ViewTasks),
        }
    }

    fn facts_of<R: Stored>(
        &self,
        tenant: TenantId,
        id: R::Id,
        permission: Permission,
    ) -> Option<(ResourceFacts, Permission)> {
        R::table(self)
            .get(&id)
            .filter(|row| row.tenant() == tenant)
            .map(|row| (row.facts_in(self), permission))
    }

    /// The subject's facts if the scope may read it: `NotFound` when it is missing, foreign or
    /// hidden, `Forbidden` when the scope sees it without the permission to read it.
    pub(super) fn visible_subject(
        &self,
        scope: &TenantScope,
        subject: ThreadSubject,
    ) -> StoreResult<ResourceFacts> {
        let (facts, permission) = self
            .subject_facts(scope.tenant_id(), subject)
            .ok_or(StoreError::NotFound)?;
        rules::require(scope, permission, &facts)?;
        Ok(facts)
    }

    /// Stores a row (new or changed).
    pub(super) fn put<R: Stored>(&mut self, row: R) {
        R::table_mut(self).insert(R::key(row.uuid()), row);
    }

    /// A row of the scope's tenant, whatever the scope may see of it.
    pub(super) fn find<R: Stored>(&self, scope: &TenantScope, id: R::Id) -> Option<&R> {
        R::table(self)
            .get(&id)
            .filter(|row| row.tenant() == scope.tenant_id())
    }

    /// A row of the scope's tenant, or `NotFound`.
    pub(super) fn found<R: Stored>(&self, scope: &TenantScope, id: R::Id) -> StoreResult<R> {
        self.find(scope, id).cloned().ok_or(StoreError::NotFound)
    }

    /// A read of one row: `None` when missing, foreign or hidden; `Forbidden` when the scope
    /// sees the row but lacks `permission`.
    pub(super) fn read<R: Stored>(
        &self,
        scope: &TenantScope,
        permission: Permission,
        id: R::Id,
    ) -> StoreResult<Option<R>> {
        let Some(row) = self.find::<R>(scope, id) else {
            return Ok(None);
        };
        match rules::require(scope, permission, &row.facts_in(self)) {
            Ok(()) => Ok(Some(row.clone())),
            Err(StoreError::NotFound) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// A row to change: `NotFound` when missing, foreign or hidden; `Forbidden` when the scope
    /// sees it but may not do `permission`.
    pub(super) fn load<R: Stored>(
        &self,
        scope: &TenantScope,
        permission: Permission,
        id: R::Id,
    ) -> StoreResult<R> {
        let row = self.found::<R>(scope, id)?;
        rules::require(scope, permission, &row.facts_in(self))?;
        Ok(row)
    }

    /// The rows the scope may read with `permission` and `keep` accepts, newest first.
    pub(super) fn list<R: Stored>(
        &self,
        scope: &TenantScope,
        permission: Permission,
        page: Page,
        keep: impl Fn(&R) -> bool,
    ) -> Paged<R> {
        let rule = Admission::new(scope, permission);
        if rule.is_empty() {
            return Paged {
                items: Vec::new(),
                next: None,
            };
        }
        let tenant = scope.tenant_id();
        page_of(
            R::table(self),
            page,
            R::key,
            |row| {
                (row.tenant() == tenant && keep(row) && rule.admits(&row.facts_in(self)))
                    .then(|| row.clone())
            },
            R::uuid,
        )
    }

    /// The row of `R` with this external id in `tenant`.
    pub(super) fn by_external_id<R: Stored>(
        &self,
        tenant: TenantId,
        external_id: &str,
    ) -> Option<&R> {
        R::table(self)
            .values()
            .find(|row| row.tenant() == tenant && row.external_id() == Some(external_id))
    }

    /// Checks an optional external id: refuses a blank one, then one that another row of the
    /// same kind in `tenant` holds. Every create and edit of a row with an external id asks both.
    pub(super) fn ensure_external_id_free<R: Stored>(
        &self,
        tenant: TenantId,
        external_id: Option<&str>,
        except: Option<R::Id>,
    ) -> StoreResult<()> {
        rules::check_external_id(external_id)?;
        let Some(external_id) = external_id else {
            return Ok(());
        };
        match self.by_external_id::<R>(tenant, external_id) {
            Some(row) if except.is_none_or(|id| R::key(row.uuid()) != id) => {
                Err(StoreError::conflict("external id already in use"))
            }
            _ => Ok(()),
        }
    }
}

/// Which rows a list may return: [`ListRule`] for the clients and internal rows, plus the
/// finance permission for money rows.
struct Admission {
    rule: ListRule,
    finance: ClientFilter,
}

impl Admission {
    fn new(scope: &TenantScope, permission: Permission) -> Self {
        Self {
            rule: ListRule::new(scope, permission),
            finance: scope.clients_with(Permission::ViewFinancials),
        }
    }

    fn is_empty(&self) -> bool {
        self.rule.is_empty()
    }

    fn admits(&self, facts: &ResourceFacts) -> bool {
        facts.client.is_some_and(|client| {
            self.rule.admits(client, facts.visibility)
                && (facts.sensitivity == Sensitivity::Ordinary || self.finance.admits(client))
        })
    }
}

/// One keyset page of `map`, newest first: the rows below the cursor that `pick` keeps, at
/// most `limit + 1` of them fetched so [`Paged::from_overfetch`] can tell whether more follow.
pub(super) fn page_of<K: Ord + Copy, V, T>(
    map: &BTreeMap<K, V>,
    page: Page,
    key: impl Fn(Uuid) -> K,
    pick: impl FnMut(&V) -> Option<T>,
    id: impl Fn(&T) -> Uuid,
) -> Paged<T> {
    let upper = page
        .cursor()
        .map_or(Bound::Unbounded, |cursor| Bound::Excluded(key(cursor.id())));
    let wanted = usize::try_from(page.limit())
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let items = map
        .range((Bound::Unbounded, upper))
        .rev()
        .map(|(_, row)| row)
        .filter_map(pick)
        .take(wanted)
        .collect();
    Paged::from_overfetch(items, page, id)
}

macro_rules! stored {
    ($ty:ty, $id:ty, $table:ident, |$state:ident, $row:ident| $facts:expr $(, $external:ident)?) => {
        impl Stored for $ty {
            type Id = $id;

            fn table(state: &State) -> &BTreeMap<$id, Self> {
                &state.$table
            }

            fn table_mut(state: &mut State) -> &mut BTreeMap<$id, Self> {
                &mut state.$table
            }

            fn key(uuid: Uuid) -> $id {
                <$id>::from_uuid(uuid)
            }

            fn uuid(&self) -> Uuid {
                *self.id.as_uuid()
            }

            fn tenant(&self) -> TenantId {
                self.tenant
            }

            fn facts_in(&self, $state: &State) -> ResourceFacts {
                let $row = self;
                $facts
            }

            $(stored!(@$external);)?
        }
    };
    (@external) => {
        fn external_id(&self) -> Option<&str> {
            self.external_id.as_deref()
        }
    };
}

stored!(
    Client,
    ClientId,
    clients,
    |_state, client| ResourceFacts::of_client(client.tenant, client.id, Visibility::Shared),
    external
);

stored!(
    Project,
    ProjectId,
    projects,
    |_state, project| ResourceFacts::of_client(project.tenant, project.client, project.visibility),
    external
);

stored!(
    Milestone,
    MilestoneId,
    milestones,
    |state, milestone| ResourceFacts::of_client(
        milestone.tenant,
        milestone.client,
        both(
            milestone.visibility,
            state.project_visibility(milestone.project),
        ),
    ),
    external
);

stored!(
    Deliverable,
    DeliverableId,
    deliverables,
    |state, deliverable| ResourceFacts::of_client(
        deliverable.tenant,
        deliverable.client,
        both(
            deliverable.visibility,
            state.milestone_visibility(deliverable.milestone),
        ),
    ),
    external
);

stored!(
    Invoice,
    InvoiceId,
    invoices,
    |state, invoice| ResourceFacts::of_client(
        invoice.tenant,
        invoice.client,
        both(
            invoice.visibility(),
            state.optional_project_visibility(invoice.project),
        ),
    )
    .finance(),
    external
);

stored!(Approval, ApprovalId, approvals, |state, approval| {
    ResourceFacts::of_client(
        approval.tenant,
        approval.client,
        both(
            approval.visibility,
            state.project_visibility(approval.project),
        ),
    )
});

stored!(Document, DocumentId, documents, |state, document| {
    ResourceFacts::of_client(
        document.tenant,
        document.client,
        both(
            document.visibility,
            state.optional_project_visibility(document.project),
        ),
    )
});

stored!(
    DocumentVersion,
    DocumentVersionId,
    versions,
    |state, version| state.documents.get(&version.document).map_or(
        ResourceFacts::of_client(version.tenant, version.client, Visibility::Internal),
        |document| document.facts_in(state),
    )
);

stored!(Update, UpdateId, updates, |state, update| {
    ResourceFacts::of_client(
        update.tenant,
        update.client,
        both(update.visibility, state.project_visibility(update.project)),
    )
});

stored!(Decision, DecisionId, decisions, |state, decision| {
    ResourceFacts::of_client(
        decision.tenant,
        decision.client,
        both(
            decision.visibility,
            state.project_visibility(decision.project),
        ),
    )
});

stored!(Task, TaskId, tasks, |state, task| ResourceFacts::of_client(
    task.tenant,
    task.client,
    both(task.visibility, state.project_visibility(task.project)),
));

stored!(Request, RequestId, requests, |state, request| {
    ResourceFacts::of_client(
        request.tenant,
        request.client,
        both(
            request.visibility,
            state.optional_project_visibility(request.project),
        ),
    )
});

stored!(Message, MessageId, messages, |state, message| {
    let subject = state
        .threads
        .get(&message.thread)
        .and_then(|thread| state.subject_facts(message.tenant, thread.subject));
    let subject_visibility = subject.map_or(Visibility::Internal, |(facts, _)| facts.visibility);
    ResourceFacts::of_client(
        message.tenant,
        message.client,
        both(message.visibility, subject_visibility),
    )
});

stored!(ShareLink, ShareLinkId, share_links, |state, link| {
    let ShareTarget::Project(project) = link.target;
    ResourceFacts::of_client(link.tenant, link.client, state.project_visibility(project))
});
