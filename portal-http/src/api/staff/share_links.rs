//! `/share-links`: no-login, expiring, revocable views of one project's shared content, which
//! may also take uploads. The token is shown once, when the link is made; only its hash is
//! stored.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_auth::{AuthError, NewShareLink};
use portal_core::model::{ShareLink, ShareTarget};
use portal_core::{ClientId, ProjectId, ShareLinkId, UserId};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use super::StaffCaller;
use crate::api::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientIp};
use crate::state::PortalState;

/// A share link (without its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareLinkView {
    /// The link's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ShareLinkId,
    /// The client whose content it shows.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// The project it shows.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// Whether files may be downloaded through it.
    pub allow_download: bool,
    /// Whether visitors may upload files through it (each becomes an internal document of the
    /// project).
    pub allow_upload: bool,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// How many uses it allows, if limited.
    pub max_uses: Option<i32>,
    /// How often it was used.
    pub uses: i32,
    /// Who made it.
    #[schema(value_type = String, format = Uuid)]
    pub created_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<ShareLink> for ShareLinkView {
    fn from(link: ShareLink) -> Self {
        let ShareTarget::Project(project_id) = link.target;
        Self {
            id: link.id,
            client_id: link.client,
            project_id,
            allow_download: link.allow_download,
            allow_upload: link.allow_upload,
            expires_at: link.expires_at,
            max_uses: link.max_uses,
            uses: link.uses,
            created_by: link.created_by,
            created_at: link.created_at,
            revoked_at: link.revoked_at,
        }
    }
}

/// A link just made, with its token — shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewShareLinkView {
    /// The link.
    pub link: ShareLinkView,
    /// The token to put in the link's URL; it cannot be shown again.
    pub token: String,
}

/// A new share link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShareLinkBody {
    /// The project to show.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// Whether files may be downloaded through it (default no).
    #[serde(default)]
    pub allow_download: bool,
    /// Whether visitors may upload files through it (default no; needs `upload_documents`):
    /// each becomes an internal document of the project.
    #[serde(default)]
    pub allow_upload: bool,
    /// Days until it stops working, 1 to the configured maximum (90 by default; default 7).
    pub expires_in_days: Option<i64>,
    /// How many uses it allows, if limited (at least 1).
    pub max_uses: Option<i32>,
}

/// The days a link lives unless asked otherwise.
const DEFAULT_DAYS: i64 = 7;
/// Seconds in a day, to turn the asked days into a lifetime without overflowing.
const SECONDS_PER_DAY: i64 = 86_400;

/// The share links the caller may manage, newest first, revoked and expired ones included.
#[utoipa::path(get, path = "/share-links", tag = "staff", params(PageQuery),
    responses(
        (status = 200, body = PageOf<ShareLinkView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
pub async fn list_share_links(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<ShareLinkView>>, ApiError> {
    let paged = state
        .stores()
        .share_links
        .list_share_links(&caller.scope, query.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, ShareLinkView::from)))
}

/// Makes a share link to a project (`create_share_links`); the answer holds the token once.
#[utoipa::path(post, path = "/share-links", tag = "staff", request_body = NewShareLinkBody,
    responses(
        (status = 201, body = NewShareLinkView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `create_share_links` (or `upload_documents`, for a link that takes uploads)", body = ErrorBody),
        (status = 404, description = "No such project the caller reaches", body = ErrorBody),
        (status = 422, description = "Lifetime or use limit out of range", body = ErrorBody),
    ))]
pub async fn create_share_link(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewShareLinkBody>,
) -> Result<(StatusCode, Json<NewShareLinkView>), ApiError> {
    let days = body.expires_in_days.unwrap_or(DEFAULT_DAYS);
    // Saturating, so a huge number of days cannot overflow: the service refuses any lifetime
    // that is not positive or beyond the configured maximum, and that is answered here in days.
    let lifetime = Duration::seconds(days.saturating_mul(SECONDS_PER_DAY));
    let (token, link) = state
        .share_links()
        .create_link(
            &caller.scope,
            NewShareLink {
                project: body.project_id,
                allow_download: body.allow_download,
                allow_upload: body.allow_upload,
                expires_in: lifetime,
                max_uses: body.max_uses,
            },
            &ip.audit(),
        )
        .await
        .map_err(|error| match error {
            AuthError::ShareLinkLifetime { max } => ApiError::invalid(
                "expires_in_days",
                format!("invalid expires_in_days: 1 to {}", max.whole_days()),
            ),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(NewShareLinkView {
            link: link.into(),
            token: token.expose_secret().to_owned(),
        }),
    ))
}

/// Revokes a share link (`create_share_links`): it stops working at once.
#[utoipa::path(post, path = "/share-links/{link_id}/revoke", tag = "staff",
    params(("link_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ShareLinkView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn revoke_share_link(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ShareLinkId>,
) -> Result<Json<ShareLinkView>, ApiError> {
    let link = state
        .share_links()
        .revoke(&caller.scope, id, &ip.audit())
        .await?;
    Ok(Json(link.into()))
}
