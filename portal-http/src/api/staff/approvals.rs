//! Asking a client to sign off one exact document version, and withdrawing the ask. Deciding is
//! the client's route.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::model::{Approval, ApprovalRequest};
use portal_core::state::ApprovalStatus;
use portal_core::{ApprovalId, ClientId, DeliverableId, DocumentVersionId, ProjectId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::work::MAX_TEXT_CHARS;
use super::{StaffCaller, bounded, instant};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientIp};
use crate::state::PortalState;

/// An approval request and its outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffApprovalView {
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
    /// The exact version under review.
    #[schema(value_type = String, format = Uuid)]
    pub document_version_id: DocumentVersionId,
    /// That version's SHA-256 (hex): a decision must name it.
    pub version_sha256: String,
    /// `pending`, `approved`, `changes_requested`, `cancelled` or `expired`.
    #[schema(value_type = String)]
    pub status: ApprovalStatus,
    /// What the team asks the client to check.
    pub message: String,
    /// Who asked.
    #[schema(value_type = String, format = Uuid)]
    pub requested_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// The deadline.
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
}

impl From<Approval> for StaffApprovalView {
    fn from(approval: Approval) -> Self {
        Self {
            id: approval.id,
            client_id: approval.client,
            project_id: approval.project,
            deliverable_id: approval.deliverable,
            document_version_id: approval.document_version,
            version_sha256: approval.sha256.to_hex(),
            status: approval.status,
            message: approval.message,
            requested_by: approval.requested_by,
            requested_at: approval.requested_at,
            due_at: approval.due_at,
            decided_by: approval.decided_by,
            decided_at: approval.decided_at,
            comment: approval.comment,
            signature: approval.signature.map(|name| name.into_string()),
        }
    }
}

/// What to ask the client to approve.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequestBody {
    /// The exact document version to review.
    #[schema(value_type = String, format = Uuid)]
    pub document_version_id: DocumentVersionId,
    /// The deliverable it signs off, if any (it moves to `in_review`).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub deliverable_id: Option<DeliverableId>,
    /// What to check.
    #[serde(default)]
    pub message: String,
    /// The deadline, RFC 3339.
    pub due_at: Option<String>,
}

/// Asks a client to approve one exact document version (`request_approvals`). Asking is
/// publishing: the client sees the request at once.
#[utoipa::path(post, path = "/approvals", tag = "staff", request_body = ApprovalRequestBody,
    responses(
        (status = 201, body = StaffApprovalView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `request_approvals`", body = ErrorBody),
        (status = 404, description = "No such version or deliverable the caller reaches", body = ErrorBody),
        (status = 409, description = "The deliverable cannot go into review now", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn request_approval(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<ApprovalRequestBody>,
) -> Result<(StatusCode, Json<StaffApprovalView>), ApiError> {
    bounded("message", &body.message, MAX_TEXT_CHARS)?;
    let request = ApprovalRequest {
        deliverable: body.deliverable_id,
        document_version: body.document_version_id,
        message: body.message,
        due_at: body
            .due_at
            .as_deref()
            .map(|text| instant("due_at", text))
            .transpose()?,
    };
    let approval = state
        .stores()
        .approvals
        .request_approval(&caller.scope, request, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(approval.into())))
}

/// Withdraws a pending approval request (`request_approvals`); its deliverable goes back in
/// progress.
#[utoipa::path(post, path = "/approvals/{approval_id}/cancel", tag = "staff",
    params(("approval_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffApprovalView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "No longer pending", body = ErrorBody),
    ))]
pub async fn cancel_approval(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ApprovalId>,
) -> Result<Json<StaffApprovalView>, ApiError> {
    let approval = state
        .stores()
        .approvals
        .cancel_approval(&caller.scope, id, &ip.audit())
        .await?;
    Ok(Json(approval.into()))
}
