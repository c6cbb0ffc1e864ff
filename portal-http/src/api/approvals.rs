//! `/approvals`: sign-off requests on one exact document version, and the client's decision,
//! bound to that version's SHA-256 and signed with a typed name.

use axum::Json;
use axum::extract::State;
use portal_core::model::Approval;
use portal_core::state::{ApprovalOutcome, ApprovalStatus, Sha256Digest};
use portal_core::{
    ApprovalId, ClientId, DeliverableId, DisplayName, DocumentVersionId, Permission, ProjectId,
    TenantScope, UserId,
};
use portal_storage::{ApprovalDecision, ApprovalFilter};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::client_views::{holds, optional_text, parse_id};
use super::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientIp};
use crate::state::PortalState;

/// A sign-off request and, once decided, its decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalView {
    /// The approval's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ApprovalId,
    /// The client asked.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// The deliverable it signs off, if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub deliverable_id: Option<DeliverableId>,
    /// The exact document version under review.
    #[schema(value_type = String, format = Uuid)]
    pub document_version_id: DocumentVersionId,
    /// That version's SHA-256 (hex): a decision must name it.
    #[schema(value_type = String)]
    pub version_sha256: Sha256Digest,
    /// `pending`, `approved`, `changes_requested`, `cancelled` or `expired`.
    #[schema(value_type = String, example = "pending")]
    pub status: ApprovalStatus,
    /// What the team asks the client to check.
    pub message: String,
    /// Who asked.
    #[schema(value_type = String, format = Uuid)]
    pub requested_by: UserId,
    /// When it was asked.
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// The deadline, after which it expires.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// Who decided.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub decided_by: Option<UserId>,
    /// When.
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    /// The decider's comment.
    pub comment: Option<String>,
    /// The typed-name signature.
    pub signature: Option<String>,
    /// Whether the caller may decide it now (pending, and the role decides approvals).
    pub can_decide: bool,
}

impl ApprovalView {
    /// The caller's view of an approval.
    #[must_use]
    pub fn of(approval: Approval, scope: &TenantScope) -> Self {
        let can_decide = approval.status == ApprovalStatus::Pending
            && !scope.is_read_only()
            && holds(scope, approval.client, Permission::DecideApprovals);
        Self {
            id: approval.id,
            client_id: approval.client,
            project_id: approval.project,
            deliverable_id: approval.deliverable,
            document_version_id: approval.document_version,
            version_sha256: approval.sha256,
            status: approval.status,
            message: approval.message,
            requested_by: approval.requested_by,
            requested_at: approval.requested_at,
            due_at: approval.due_at,
            decided_by: approval.decided_by,
            decided_at: approval.decided_at,
            comment: approval.comment,
            signature: approval.signature.map(DisplayName::into_string),
            can_decide,
        }
    }
}

/// Which approvals to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApprovalQuery {
    /// Only in this status (`pending`, `approved`, `changes_requested`, `cancelled`, `expired`).
    #[param(value_type = Option<String>)]
    pub status: Option<ApprovalStatus>,
    /// Only this project's.
    pub project_id: Option<String>,
}

/// What the client decides.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionChoice {
    /// Sign off on the version.
    Approve,
    /// Ask for changes.
    RequestChanges,
}

/// A decision on a pending approval.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Approve or request changes.
    pub decision: DecisionChoice,
    /// A comment for the team.
    #[serde(default)]
    pub comment: Option<String>,
    /// The signer's full name, typed.
    pub signature: String,
    /// The SHA-256 (hex) of the version the signer looked at: the approval's `version_sha256`.
    pub version_sha256: String,
}

/// The approvals the caller may see, newest first.
#[utoipa::path(get, path = "/approvals", tag = "approvals",
    params(PageQuery, ApprovalQuery),
    responses(
        (status = 200, body = PageOf<ApprovalView>),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A malformed filter, limit or cursor", body = ErrorBody),
    ))]
pub async fn list_approvals(
    State(state): State<PortalState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<ApprovalQuery>,
) -> Result<Json<PageOf<ApprovalView>>, ApiError> {
    let filter = ApprovalFilter {
        project: parse_id("project_id", query.project_id.as_deref())?,
        status: query.status,
    };
    let paged = state
        .stores()
        .approvals
        .list_approvals(&caller.scope, filter, paging.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, |approval| {
        ApprovalView::of(approval, &caller.scope)
    })))
}

/// One approval.
#[utoipa::path(get, path = "/approvals/{approval_id}", tag = "approvals",
    params(("approval_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ApprovalView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view approvals", body = ErrorBody),
        (status = 404, description = "No such approval the caller may see", body = ErrorBody),
    ))]
pub async fn get_approval(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(id): ApiPath<ApprovalId>,
) -> Result<Json<ApprovalView>, ApiError> {
    let approval = state
        .stores()
        .approvals
        .approval(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(ApprovalView::of(approval, &caller.scope)))
}

/// Approves or requests changes on a pending approval. Needs a login within the step-up window
/// (SEC-20) and the SHA-256 of the version under review; of concurrent decisions exactly one
/// wins (SEC-30).
#[utoipa::path(post, path = "/approvals/{approval_id}/decision", tag = "approvals",
    params(("approval_id" = String, Path, format = Uuid)),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "Decided", body = ApprovalView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauth_required`: log in again first (also for API keys); `forbidden`: the role may not decide", body = ErrorBody),
        (status = 404, description = "No such approval the caller may see", body = ErrorBody),
        (status = 409, description = "Already decided, or the SHA-256 names another version", body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "A blank signature, a malformed SHA-256 or too long a comment", body = ErrorBody),
    ))]
pub async fn decide_approval(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(id): ApiPath<ApprovalId>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<Json<ApprovalView>, ApiError> {
    // A signature is only as good as the login behind it: only a person's fresh session signs.
    let session = caller.session().ok_or(ApiError::ReauthRequired)?;
    state.sessions().require_recent_authentication(session)?;
    let decision = ApprovalDecision {
        outcome: match body.decision {
            DecisionChoice::Approve => ApprovalOutcome::Approved,
            DecisionChoice::RequestChanges => ApprovalOutcome::ChangesRequested,
        },
        sha256: Sha256Digest::parse_hex(&body.version_sha256)
            .map_err(|error| error.in_field("version_sha256"))?,
        comment: optional_text("comment", body.comment)?,
        signature: DisplayName::parse(&body.signature)
            .map_err(|error| error.in_field("signature"))?,
    };
    let approval = state
        .stores()
        .approvals
        .decide(&caller.scope, id, decision, &ip.audit())
        .await?;
    Ok(Json(ApprovalView::of(approval, &caller.scope)))
}
