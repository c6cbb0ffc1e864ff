//! `POST approvals/{id}/decision`: approve or request changes, signed with the typed full name
//! and bound to the SHA-256 of the version shown. The decision is made by the API's own
//! function — the same store call, the same step-up rule (a sign-in older than the window goes
//! to the password prompt first), the same audit event — so the page can never decide what the
//! API would refuse. Of two decisions at once one wins; the other sees who was first.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::state::ApprovalStatus;
use serde::Deserialize;

use super::super::super::form::FormError;
use super::super::super::signed::{Failure, PageForm, SignedPage};
use super::super::documents::caller::api_caller;
use super::detail::{self, DecisionForm};
use crate::api::approvals::{DecisionChoice, DecisionRequest, decide_approval};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ClientIp};

/// The decision form's fields (its token is checked before they are read).
#[derive(Debug, Deserialize)]
pub(super) struct DecisionFields {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    version_sha256: String,
}

/// `GET approvals/{id}/decision` (a reload after the password prompt, say): the approval.
pub(super) async fn back_to_approval(page: SignedPage, Path(id): Path<String>) -> Response {
    match detail::approval(&page, &id).await {
        Ok(approval) => page.redirect(&format!("/approvals/{}", approval.id)),
        Err(failure) => page.fail(failure),
    }
}

/// `POST approvals/{id}/decision`: records the decision and shows the approval decided, or
/// the form again with what was wrong.
pub(super) async fn decide(
    ip: ClientIp,
    Path(id): Path<String>,
    PageForm { page, fields }: PageForm<DecisionFields>,
) -> Response {
    match decision(&page, ip, &id, fields).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

async fn decision(
    page: &SignedPage,
    ip: ClientIp,
    id: &str,
    fields: DecisionFields,
) -> Result<Response, Failure> {
    let approval = detail::approval(page, id).await?;
    let approval_path = format!("/approvals/{}", approval.id);
    let choice = match fields.decision.as_str() {
        "approve" => Some(DecisionChoice::Approve),
        "request_changes" => Some(DecisionChoice::RequestChanges),
        _ => None,
    };
    let formatter = page.formatter();
    let refused = match choice {
        None => Some(FormError::new(
            &formatter,
            Some("decision"),
            "approvals-error-choose",
            &[],
        )?),
        Some(DecisionChoice::RequestChanges) if fields.comment.trim().is_empty() => {
            Some(FormError::new(
                &formatter,
                Some("comment"),
                "approvals-error-comment-required",
                &[],
            )?)
        }
        Some(_) => None,
    };
    let mut typed = DecisionForm {
        decision: fields.decision.clone(),
        comment: fields.comment.clone(),
        signature: fields.signature.clone(),
        error: None,
    };
    let Some(choice) = choice.filter(|_| refused.is_none()) else {
        typed.error = refused;
        return detail::render_again(page, approval, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    };

    let request = DecisionRequest {
        decision: choice,
        comment: Some(fields.comment),
        signature: fields.signature,
        version_sha256: fields.version_sha256,
    };
    let decided = decide_approval(
        State(page.state.clone()),
        api_caller(page),
        ip,
        ApiPath(approval.id),
        ApiJson(request),
    )
    .await;
    match decided {
        Ok(_) => {
            let notice = match choice {
                DecisionChoice::Approve => "notice-approvals-approved",
                DecisionChoice::RequestChanges => "notice-approvals-changes-requested",
            };
            Ok(page.redirect_with_notice(&approval_path, notice))
        }
        // Back to the approval after the password, not to this form post.
        Err(ApiError::ReauthRequired) => Ok(page.confirm_first(&approval_path)),
        Err(ApiError::Conflict(_)) => {
            // Someone else decided first, or the version moved on: show the approval as it
            // is now, with what happened.
            let now = detail::approval(page, id).await?;
            let message = if now.status == ApprovalStatus::Pending {
                "approvals-error-version"
            } else {
                "approvals-error-already-decided"
            };
            typed.error = Some(FormError::new(&formatter, None, message, &[])?);
            detail::render_again(page, now, typed, StatusCode::CONFLICT).await
        }
        Err(error) => match page.form_error(error) {
            Ok(error) => {
                typed.error = Some(error);
                detail::render_again(page, approval, typed, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(response) => Ok(response),
        },
    }
}
