//! Isolation: a scope of another tenant, or a contact of another client, finds nothing of the
//! victim's — every read is empty or not found, every write is not found and changes nothing —
//! and canary strings planted in the victim's data never appear in what it gets back.

use portal_core::model::{
    ApprovalRequest, ClientInput, DeliverableInput, InvoiceInput, MilestoneInput, NewDecision,
    NewDocument, NewMessage, NewRequest, NewTask, NewUpdate, ShareAccess, ShareTarget, TaskOwner,
    ThreadSubject,
};
use portal_core::state::{
    ApprovalOutcome, DeliverableStatus, InvoiceStatus, MilestoneStatus, RequestStatus,
    Sha256Digest, TaskStatus,
};
use portal_core::{
    ApprovalId, BuiltinRole, Currency, DecisionId, InvoiceId, MembershipId, MembershipKind, Money,
    PermissionSet, RequestId, RoleId, ShareLinkId, TaskId, TenantScope, UpdateId, UserId,
    Visibility,
};
use portal_storage::{
    ApprovalDecision, ApprovalFilter, AuditFilter, DocumentFilter, InvoiceFilter, Page,
    ProjectFilter, StoreError, StoreResult, Stores,
};
use time::OffsetDateTime;
use time::macros::date;

use crate::Harness;
use crate::stores::fixtures::{
    ClientWork, client, ctx, member, name, new_version, project_input, role, tenant, token, work,
};

const CANARY: &str = "CANARY-7f3a";

/// Everything of one client of the victim tenant that an attacker might name.
struct Victim {
    owner: TenantScope,
    work: ClientWork,
    contact: UserId,
    membership: MembershipId,
    role: RoleId,
    approval: ApprovalId,
    update: UpdateId,
    decision: DecisionId,
    task: TaskId,
    request: RequestId,
    invoice: InvoiceId,
    share_link: ShareLinkId,
}

async fn victim(stores: &Stores) -> Victim {
    let acme = tenant(stores, &format!("{CANARY} tenant")).await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let client = client(stores, &owner, &format!("{CANARY} client")).await;
    let (contact, contact_scope) =
        member(stores, acme.id, BuiltinRole::ClientAdmin, &[client]).await;
    let work = work(stores, &owner, client, CANARY).await;
    stores
        .deliverables
        .move_deliverable(
            &owner,
            work.deliverable,
            DeliverableStatus::InProgress,
            &ctx(),
        )
        .await
        .unwrap();
    let approval = stores
        .approvals
        .request_approval(
            &owner,
            ApprovalRequest {
                deliverable: Some(work.deliverable),
                document_version: work.version,
                message: CANARY.into(),
                due_at: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    let update = stores
        .updates
        .create_update(
            &owner,
            NewUpdate {
                project: work.project,
                title: name(CANARY),
                body: CANARY.into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .updates
        .set_update_visibility(&owner, update.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let decision = stores
        .decisions
        .create_decision(
            &owner,
            NewDecision {
                project: work.project,
                title: name(CANARY),
                body: CANARY.into(),
                decided_on: date!(2026 - 11 - 02),
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .decisions
        .set_decision_visibility(&owner, decision.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let task = stores
        .tasks
        .create_task(
            &owner,
            NewTask {
                project: work.project,
                title: name(CANARY),
                owner: TaskOwner::Client,
                assignee: None,
                due_on: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .tasks
        .set_task_visibility(&owner, task.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let request = stores
        .requests
        .submit_request(
            &contact_scope,
            NewRequest {
                client,
                project: Some(work.project),
                title: name(CANARY),
                body: CANARY.into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .threads
        .post_message(
            &owner,
            NewMessage {
                subject: ThreadSubject::Project(work.project),
                body: CANARY.into(),
                visibility: Visibility::Shared,
            },
            &ctx(),
        )
        .await
        .unwrap();
    let invoice = stores
        .invoices
        .create_invoice(&owner, invoice_input(client), &ctx())
        .await
        .unwrap();
    let share_link = stores
        .share_links
        .create_share_link(
            &owner,
            ShareTarget::Project(work.project),
            token(),
            ShareAccess {
                download: true,
                upload: false,
            },
            OffsetDateTime::now_utc() + time::Duration::days(3),
            None,
            &ctx(),
        )
        .await
        .unwrap();
    let membership = stores
        .memberships
        .list_memberships(&owner, Some(client), Page::first(10).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.user == contact)
        .unwrap();
    let role = role(stores, acme.id, BuiltinRole::Viewer).await.id();
    Victim {
        owner,
        work,
        contact,
        membership: membership.id,
        role,
        approval: approval.id,
        update: update.id,
        decision: decision.id,
        task: task.id,
        request: request.id,
        invoice: invoice.id,
        share_link: share_link.id,
    }
}

fn invoice_input(client: portal_core::ClientId) -> InvoiceInput {
    InvoiceInput {
        client,
        project: None,
        number: CANARY.into(),
        amount: Money::new(99, Currency::parse("EUR").unwrap()),
        status: InvoiceStatus::Open,
        issued_on: None,
        due_on: None,
        payment_url: None,
        internal_note: Some(CANARY.into()),
        external_id: None,
    }
}

/// Everything the victim's owner can see, to compare before and after the attack.
async fn snapshot(stores: &Stores, victim: &Victim) -> String {
    let owner = &victim.owner;
    let page = Page::first(200).unwrap();
    let work = &victim.work;
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        stores.clients.list_clients(owner, page).await.unwrap(),
        stores
            .projects
            .list_projects(owner, ProjectFilter::default(), page)
            .await
            .unwrap(),
        stores
            .milestones
            .list_milestones(owner, work.project, page)
            .await
            .unwrap(),
        stores
            .deliverables
            .list_deliverables(owner, work.milestone, page)
            .await
            .unwrap(),
        stores
            .documents
            .list_documents(owner, DocumentFilter::default(), page)
            .await
            .unwrap(),
        stores
            .documents
            .list_versions(owner, work.document, page)
            .await
            .unwrap(),
        stores
            .approvals
            .list_approvals(owner, ApprovalFilter::default(), page)
            .await
            .unwrap(),
        stores
            .updates
            .list_updates(owner, None, page)
            .await
            .unwrap(),
        stores
            .decisions
            .list_decisions(owner, None, page)
            .await
            .unwrap(),
        stores.tasks.list_tasks(owner, None, page).await.unwrap(),
        stores
            .requests
            .list_requests(owner, None, page)
            .await
            .unwrap(),
        stores
            .threads
            .list_messages(owner, ThreadSubject::Project(work.project), page)
            .await
            .unwrap(),
        stores
            .invoices
            .list_invoices(owner, InvoiceFilter::default(), page)
            .await
            .unwrap(),
        stores
            .share_links
            .list_share_links(owner, page)
            .await
            .unwrap(),
        stores
            .memberships
            .list_memberships(owner, None, page)
            .await
            .unwrap(),
        stores.memberships.roles(owner).await.unwrap(),
    ) + &format!(
        "\n{:?}\n{:?}",
        stores
            .audit
            .list_events(owner, AuditFilter::default(), page)
            .await
            .unwrap(),
        stores
            .identities
            .list_users(owner, None, page)
            .await
            .unwrap(),
    )
}

/// A read by the attacker: must find nothing. Lists may be empty or `NotFound`.
fn nothing<T: std::fmt::Debug>(what: &str, result: StoreResult<T>, seen: &mut String) {
    match result {
        Ok(value) => {
            let text = format!("{value:?}");
            assert!(
                !text.contains(CANARY),
                "{what} leaked the victim's data: {text}"
            );
            seen.push_str(&text);
        }
        Err(StoreError::NotFound) => {}
        Err(other) => panic!("{what}: a foreign object must look missing, got {other:?}"),
    }
}

/// A write by the attacker: must be not found.
fn not_found<T: std::fmt::Debug>(what: &str, result: StoreResult<T>) {
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "{what}: expected not found, got {result:?}"
    );
}

async fn attack(stores: &Stores, attacker: &TenantScope, victim: &Victim) {
    let page = Page::first(200).unwrap();
    let work = &victim.work;
    let subject = ThreadSubject::Project(work.project);
    let mut seen = String::new();
    let seen = &mut seen;

    // Reads: gets find nothing, lists hold nothing of the victim's.
    macro_rules! get_none {
        ($what:literal, $call:expr) => {
            let result = $call.await;
            assert!(
                matches!(result, Ok(None)),
                concat!($what, ": expected nothing, got {:?}"),
                result
            );
        };
    }
    get_none!("client", stores.clients.client(attacker, work.client));
    get_none!("project", stores.projects.project(attacker, work.project));
    get_none!(
        "internal project",
        stores.projects.project(attacker, work.internal_project)
    );
    get_none!(
        "milestone",
        stores.milestones.milestone(attacker, work.milestone)
    );
    get_none!(
        "deliverable",
        stores.deliverables.deliverable(attacker, work.deliverable)
    );
    get_none!(
        "document",
        stores.documents.document(attacker, work.document)
    );
    get_none!("version", stores.documents.version(attacker, work.version));
    get_none!(
        "approval",
        stores.approvals.approval(attacker, victim.approval)
    );
    get_none!("update", stores.updates.update(attacker, victim.update));
    get_none!(
        "decision",
        stores.decisions.decision(attacker, victim.decision)
    );
    get_none!("task", stores.tasks.task(attacker, victim.task));
    get_none!("request", stores.requests.request(attacker, victim.request));
    get_none!("thread", stores.threads.thread(attacker, subject));
    get_none!("user", stores.identities.user(attacker, victim.contact));
    let invoice = stores.invoices.invoice(attacker, victim.invoice).await;
    assert!(matches!(invoice, Ok(None)), "invoice: {invoice:?}");
    nothing(
        "clients",
        stores.clients.list_clients(attacker, page).await,
        seen,
    );
    nothing(
        "projects",
        stores
            .projects
            .list_projects(attacker, ProjectFilter::default(), page)
            .await,
        seen,
    );
    nothing(
        "projects of the client",
        stores
            .projects
            .list_projects(
                attacker,
                ProjectFilter {
                    client: Some(work.client),
                    status: None,
                },
                page,
            )
            .await,
        seen,
    );
    nothing(
        "progress",
        stores
            .projects
            .list_project_progress(attacker, ProjectFilter::default(), page)
            .await,
        seen,
    );
    nothing(
        "milestones",
        stores
            .milestones
            .list_milestones(attacker, work.project, page)
            .await,
        seen,
    );
    nothing(
        "deliverables",
        stores
            .deliverables
            .list_deliverables(attacker, work.milestone, page)
            .await,
        seen,
    );
    nothing(
        "documents",
        stores
            .documents
            .list_documents(
                attacker,
                DocumentFilter {
                    client: Some(work.client),
                    project: None,
                },
                page,
            )
            .await,
        seen,
    );
    nothing(
        "versions",
        stores
            .documents
            .list_versions(attacker, work.document, page)
            .await,
        seen,
    );
    nothing(
        "approvals",
        stores
            .approvals
            .list_approvals(attacker, ApprovalFilter::default(), page)
            .await,
        seen,
    );
    nothing(
        "updates",
        stores
            .updates
            .list_updates(attacker, Some(work.project), page)
            .await,
        seen,
    );
    nothing(
        "decisions",
        stores
            .decisions
            .list_decisions(attacker, Some(work.project), page)
            .await,
        seen,
    );
    nothing(
        "tasks",
        stores
            .tasks
            .list_tasks(attacker, Some(work.project), page)
            .await,
        seen,
    );
    nothing(
        "requests",
        stores.requests.list_requests(attacker, None, page).await,
        seen,
    );
    nothing(
        "messages",
        stores.threads.list_messages(attacker, subject, page).await,
        seen,
    );
    nothing(
        "invoices",
        stores
            .invoices
            .list_invoices(
                attacker,
                InvoiceFilter {
                    client: Some(work.client),
                    status: None,
                },
                page,
            )
            .await,
        seen,
    );
    for optional in [
        format!(
            "{:?}",
            stores.share_links.list_share_links(attacker, page).await
        ),
        format!(
            "{:?}",
            stores
                .memberships
                .list_memberships(attacker, Some(work.client), page)
                .await
        ),
        format!(
            "{:?}",
            stores.identities.list_users(attacker, None, page).await
        ),
        format!(
            "{:?}",
            stores
                .audit
                .list_events(attacker, AuditFilter::default(), page)
                .await
        ),
        format!("{:?}", stores.outbox.list_outbox(attacker, page).await),
        format!("{:?}", stores.memberships.roles(attacker).await),
        format!("{:?}", stores.tenants.tenant(attacker).await),
    ] {
        assert!(
            !optional.contains(CANARY),
            "a tenant-level list leaked the victim's data: {optional}"
        );
    }

    // Writes: every one is not found.
    let ctx = ctx();
    not_found(
        "update client",
        stores
            .clients
            .update_client(
                attacker,
                work.client,
                ClientInput {
                    name: name("x"),
                    external_id: None,
                    branding: None,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "archive client",
        stores
            .clients
            .set_client_archived(attacker, work.client, true, &ctx)
            .await,
    );
    not_found(
        "create project",
        stores
            .projects
            .create_project(attacker, project_input(work.client, "x"), &ctx)
            .await,
    );
    not_found(
        "update project",
        stores
            .projects
            .update_project(
                attacker,
                work.project,
                project_input(work.client, "x"),
                &ctx,
            )
            .await,
    );
    not_found(
        "publish project",
        stores
            .projects
            .set_project_visibility(attacker, work.internal_project, Visibility::Shared, &ctx)
            .await,
    );
    not_found(
        "create milestone",
        stores
            .milestones
            .create_milestone(
                attacker,
                MilestoneInput {
                    project: work.project,
                    title: name("x"),
                    due_on: None,
                    position: 9,
                    external_id: None,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "move milestone",
        stores
            .milestones
            .move_milestone(attacker, work.milestone, MilestoneStatus::InProgress, &ctx)
            .await,
    );
    not_found(
        "publish milestone",
        stores
            .milestones
            .set_milestone_visibility(attacker, work.internal_milestone, Visibility::Shared, &ctx)
            .await,
    );
    not_found(
        "create deliverable",
        stores
            .deliverables
            .create_deliverable(
                attacker,
                DeliverableInput {
                    milestone: work.milestone,
                    title: name("x"),
                    due_on: None,
                    external_id: None,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "move deliverable",
        stores
            .deliverables
            .move_deliverable(
                attacker,
                work.deliverable,
                DeliverableStatus::InReview,
                &ctx,
            )
            .await,
    );
    not_found(
        "create document",
        stores
            .documents
            .create_document(
                attacker,
                NewDocument {
                    client: work.client,
                    project: None,
                    title: name("x"),
                    visibility: Visibility::Shared,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "add version",
        stores
            .documents
            .add_version(
                attacker,
                work.document,
                new_version(attacker.tenant_id(), Sha256Digest::from_bytes([1; 32])),
                &ctx,
            )
            .await,
    );
    not_found(
        "rename document",
        stores
            .documents
            .rename_document(attacker, work.document, name("x"), &ctx)
            .await,
    );
    not_found(
        "hide document",
        stores
            .documents
            .set_document_visibility(attacker, work.document, Visibility::Internal, &ctx)
            .await,
    );
    not_found(
        "request approval",
        stores
            .approvals
            .request_approval(
                attacker,
                ApprovalRequest {
                    deliverable: Some(work.deliverable),
                    document_version: work.version,
                    message: "x".into(),
                    due_at: None,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "decide",
        stores
            .approvals
            .decide(
                attacker,
                victim.approval,
                ApprovalDecision {
                    outcome: ApprovalOutcome::Approved,
                    sha256: work.version_sha,
                    comment: None,
                    signature: name("Mallory"),
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "cancel approval",
        stores
            .approvals
            .cancel_approval(attacker, victim.approval, &ctx)
            .await,
    );
    not_found(
        "write update",
        stores
            .updates
            .create_update(
                attacker,
                NewUpdate {
                    project: work.project,
                    title: name("x"),
                    body: "x".into(),
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "hide update",
        stores
            .updates
            .set_update_visibility(attacker, victim.update, Visibility::Internal, &ctx)
            .await,
    );
    not_found(
        "record decision",
        stores
            .decisions
            .create_decision(
                attacker,
                NewDecision {
                    project: work.project,
                    title: name("x"),
                    body: "x".into(),
                    decided_on: date!(2026 - 01 - 01),
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "hide decision",
        stores
            .decisions
            .set_decision_visibility(attacker, victim.decision, Visibility::Internal, &ctx)
            .await,
    );
    not_found(
        "create task",
        stores
            .tasks
            .create_task(
                attacker,
                NewTask {
                    project: work.project,
                    title: name("x"),
                    owner: TaskOwner::Team,
                    assignee: None,
                    due_on: None,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "complete task",
        stores
            .tasks
            .set_task_status(attacker, victim.task, TaskStatus::Done, &ctx)
            .await,
    );
    not_found(
        "submit request",
        stores
            .requests
            .submit_request(
                attacker,
                NewRequest {
                    client: work.client,
                    project: None,
                    title: name("x"),
                    body: "x".into(),
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "move request",
        stores
            .requests
            .move_request(attacker, victim.request, RequestStatus::Closed, &ctx)
            .await,
    );
    not_found(
        "post message",
        stores
            .threads
            .post_message(
                attacker,
                NewMessage {
                    subject,
                    body: "x".into(),
                    visibility: Visibility::Shared,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "create invoice",
        stores
            .invoices
            .create_invoice(attacker, invoice_input(work.client), &ctx)
            .await,
    );
    not_found(
        "update invoice",
        stores
            .invoices
            .update_invoice(attacker, victim.invoice, invoice_input(work.client), &ctx)
            .await,
    );
    not_found(
        "share project",
        stores
            .share_links
            .create_share_link(
                attacker,
                ShareTarget::Project(work.project),
                token(),
                ShareAccess {
                    download: true,
                    upload: false,
                },
                OffsetDateTime::now_utc() + time::Duration::days(1),
                None,
                &ctx,
            )
            .await,
    );
    not_found(
        "revoke share link",
        stores
            .share_links
            .revoke_share_link(attacker, victim.share_link, &ctx)
            .await,
    );
    not_found(
        "rename user",
        stores
            .identities
            .rename_user(attacker, victim.contact, name("x"), &ctx)
            .await,
    );
    not_found(
        "set a user's language",
        stores
            .identities
            .set_locale(
                attacker,
                victim.contact,
                Some(portal_core::LanguageTag::parse("de").unwrap()),
                &ctx,
            )
            .await,
    );
    not_found(
        "disable user",
        stores
            .identities
            .set_disabled(attacker, victim.contact, true, &ctx)
            .await,
    );
    not_found(
        "add membership",
        stores
            .memberships
            .add_membership(
                attacker,
                victim.contact,
                victim.role,
                MembershipKind::Contact {
                    client: work.client,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "change role",
        stores
            .memberships
            .change_role(attacker, victim.membership, victim.role, &ctx)
            .await,
    );
    not_found(
        "remove membership",
        stores
            .memberships
            .remove_membership(attacker, victim.membership, &ctx)
            .await,
    );
    not_found(
        "edit role",
        stores
            .memberships
            .set_role_permissions(attacker, victim.role, PermissionSet::EMPTY, &ctx)
            .await,
    );
    not_found(
        "delete role",
        stores
            .memberships
            .delete_role(attacker, victim.role, &ctx)
            .await,
    );
}

pub async fn another_tenant_sees_and_changes_nothing(h: &Harness) {
    let stores = &h.stores;
    let victim = victim(stores).await;
    let before = snapshot(stores, &victim).await;
    let other = tenant(stores, "Other agency").await;
    let (_, other_owner) = member(stores, other.id, BuiltinRole::Owner, &[]).await;
    let other_client = client(stores, &other_owner, "Other client").await;
    let (_, other_contact) =
        member(stores, other.id, BuiltinRole::ClientAdmin, &[other_client]).await;
    for attacker in [
        &other_owner,
        &other_contact,
        &TenantScope::dangerous_system(other.id),
    ] {
        attack(stores, attacker, &victim).await;
    }
    assert_eq!(
        snapshot(stores, &victim).await,
        before,
        "the attack changed the victim's data"
    );
    let report = stores.audit.verify_chain(&victim.owner).await.unwrap();
    assert_eq!(report.broken, None);
}

pub async fn another_client_sees_and_changes_nothing(h: &Harness) {
    let stores = &h.stores;
    let victim = victim(stores).await;
    let neighbour = client(stores, &victim.owner, "Neighbour").await;
    let tenant = victim.owner.tenant_id();
    let before = snapshot(stores, &victim).await;
    for builtin in [
        BuiltinRole::ClientAdmin,
        BuiltinRole::Approver,
        BuiltinRole::Finance,
        BuiltinRole::Viewer,
    ] {
        let (_, attacker) = member(stores, tenant, builtin, &[neighbour]).await;
        attack_within_tenant(stores, &attacker, &victim).await;
    }
    let (_, unassigned_member) = member(stores, tenant, BuiltinRole::Member, &[neighbour]).await;
    attack_within_tenant(stores, &unassigned_member, &victim).await;
    // Creating users and memberships for the attackers is part of the setup; compare the rest.
    let after = snapshot(stores, &victim).await;
    let strip = |text: &str| text.lines().take(14).collect::<Vec<_>>().join("\n");
    assert_eq!(
        strip(&after),
        strip(&before),
        "the attack changed the victim's data"
    );
}

/// Within one tenant the attacker may see tenant-level things it is entitled to; only the
/// victim client's objects are checked.
async fn attack_within_tenant(stores: &Stores, attacker: &TenantScope, victim: &Victim) {
    let page = Page::first(200).unwrap();
    let work = &victim.work;
    let subject = ThreadSubject::Project(work.project);
    let ctx = ctx();
    assert!(matches!(
        stores.clients.client(attacker, work.client).await,
        Ok(None)
    ));
    assert!(matches!(
        stores.projects.project(attacker, work.project).await,
        Ok(None)
    ));
    assert!(matches!(
        stores.milestones.milestone(attacker, work.milestone).await,
        Ok(None)
    ));
    assert!(matches!(
        stores.documents.document(attacker, work.document).await,
        Ok(None)
    ));
    assert!(matches!(
        stores.documents.version(attacker, work.version).await,
        Ok(None)
    ));
    assert!(matches!(
        stores.approvals.approval(attacker, victim.approval).await,
        Ok(None)
    ));
    assert!(matches!(
        stores.requests.request(attacker, victim.request).await,
        Ok(None)
    ));
    assert!(matches!(
        stores.invoices.invoice(attacker, victim.invoice).await,
        Ok(None)
    ));
    let mut seen = String::new();
    nothing(
        "projects",
        stores
            .projects
            .list_projects(attacker, ProjectFilter::default(), page)
            .await,
        &mut seen,
    );
    nothing(
        "documents",
        stores
            .documents
            .list_documents(attacker, DocumentFilter::default(), page)
            .await,
        &mut seen,
    );
    nothing(
        "approvals",
        stores
            .approvals
            .list_approvals(attacker, ApprovalFilter::default(), page)
            .await,
        &mut seen,
    );
    nothing(
        "updates",
        stores.updates.list_updates(attacker, None, page).await,
        &mut seen,
    );
    nothing(
        "requests",
        stores.requests.list_requests(attacker, None, page).await,
        &mut seen,
    );
    nothing(
        "invoices",
        stores
            .invoices
            .list_invoices(attacker, InvoiceFilter::default(), page)
            .await,
        &mut seen,
    );
    nothing(
        "messages",
        stores.threads.list_messages(attacker, subject, page).await,
        &mut seen,
    );
    not_found(
        "decide",
        stores
            .approvals
            .decide(
                attacker,
                victim.approval,
                ApprovalDecision {
                    outcome: ApprovalOutcome::Approved,
                    sha256: work.version_sha,
                    comment: None,
                    signature: name("Mallory"),
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "post message",
        stores
            .threads
            .post_message(
                attacker,
                NewMessage {
                    subject,
                    body: "x".into(),
                    visibility: Visibility::Shared,
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "add version",
        stores
            .documents
            .add_version(
                attacker,
                work.document,
                new_version(attacker.tenant_id(), Sha256Digest::from_bytes([1; 32])),
                &ctx,
            )
            .await,
    );
    not_found(
        "submit request",
        stores
            .requests
            .submit_request(
                attacker,
                NewRequest {
                    client: work.client,
                    project: None,
                    title: name("x"),
                    body: "x".into(),
                },
                &ctx,
            )
            .await,
    );
    not_found(
        "complete task",
        stores
            .tasks
            .set_task_status(attacker, victim.task, TaskStatus::Done, &ctx)
            .await,
    );
    not_found(
        "publish milestone",
        stores
            .milestones
            .set_milestone_visibility(attacker, work.internal_milestone, Visibility::Shared, &ctx)
            .await,
    );
}
