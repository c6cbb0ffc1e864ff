//! `admin/share-links`: the share links the viewer may manage (target, who made it, expiry,
//! uses), making one for a project — the target the API allows — and revoking one, through the
//! same share-link service as `POST /share-links` and `POST /share-links/{id}/revoke`
//! (`create_share_links`). A new link's address (`share/{token}`, the visitor's page) and token
//! are shown once, in the answer to the form; only the token's hash is stored.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_auth::{AuthError, NewShareLink};
use portal_core::model::{ShareLink, ShareTarget, User};
use portal_core::{Permission, ProjectId, ShareLinkId, UserId};
use portal_storage::Page;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::super::catalogue::Arg;
use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::page::PageError;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::names::{client_names, clients, people, person, project_names, projects};
use super::{LIST_PAGE, NoFields, path_id, require};
use crate::error::ApiError;
use crate::extract::ClientIp;

const PATH: &str = "/admin/share-links";
const TEMPLATE: &str = "admin/share_links.html";
/// The days a link lives unless asked otherwise (as in the API).
const DEFAULT_DAYS: i64 = 7;
/// Seconds in a day.
const SECONDS_PER_DAY: i64 = 86_400;

/// The new link's form.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub(crate) struct NewLinkFields {
    project: String,
    allow_download: String,
    allow_upload: String,
    expires_in_days: String,
    max_uses: String,
}

impl Default for NewLinkFields {
    fn default() -> Self {
        Self {
            project: String::new(),
            allow_download: String::new(),
            allow_upload: String::new(),
            expires_in_days: DEFAULT_DAYS.to_string(),
            max_uses: String::new(),
        }
    }
}

#[derive(Debug, Serialize)]
struct LinksPage {
    links: Vec<LinkRow>,
    older: Option<String>,
    projects: Vec<ProjectChoice>,
    form: FormView,
    created: Option<Created>,
}

#[derive(Debug, Serialize)]
struct LinkRow {
    id: String,
    target: String,
    client: String,
    created_by: String,
    created: String,
    expires: String,
    uses: i32,
    max_uses: Option<i32>,
    downloads: bool,
    uploads: bool,
    state_message: &'static str,
    active: bool,
}

#[derive(Debug, Serialize)]
struct ProjectChoice {
    id: String,
    name: String,
    client: String,
    selected: bool,
}

#[derive(Debug, Serialize)]
struct FormView {
    allow_download: bool,
    allow_upload: bool,
    expires_in_days: String,
    max_uses: String,
    error: Option<FormError>,
}

/// A link just made: its address and token, shown this once.
#[derive(Debug, Serialize)]
struct Created {
    target: String,
    /// The page the link opens, from the configured origin (never the request's `Host`).
    url: String,
    token: String,
}

/// `GET admin/share-links`.
pub(crate) async fn show(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    let cursor = super::cursor(query.as_deref());
    let result = render(
        &page,
        StatusCode::OK,
        cursor,
        &NewLinkFields::default(),
        None,
        None,
    )
    .await;
    super::answer(&page, result)
}

async fn render(
    page: &SignedPage,
    status: StatusCode,
    cursor: Option<portal_storage::Cursor>,
    fields: &NewLinkFields,
    error: Option<FormError>,
    created: Option<Created>,
) -> Result<Response, Failure> {
    require(page, Permission::CreateShareLinks)?;
    let formatter = page.formatter();
    let projects = projects(&page.state, &page.scope, None).await?;
    let clients = client_names(&clients(&page.state, &page.scope).await?);
    let people = people(&page.state, &page.scope).await?;
    let names = project_names(&projects);
    let page_size = Page::first(LIST_PAGE)
        .map_err(ApiError::from)?
        .after(cursor);
    let paged = page
        .state
        .stores()
        .share_links
        .list_share_links(&page.scope, page_size)
        .await?;
    let now = OffsetDateTime::now_utc();
    let links = paged
        .items
        .into_iter()
        .map(|link| row(&formatter, &names, &clients, &people, now, link))
        .collect::<Result<_, Failure>>()?;
    let older = paged
        .next
        .map(|next| format!("{}{PATH}?cursor={next}", page.page.base));
    let choices = projects
        .iter()
        .filter(|project| {
            page.scope
                .permissions_in(Some(project.client))
                .contains(Permission::CreateShareLinks)
        })
        .map(|project| ProjectChoice {
            id: project.id.to_string(),
            name: project.name.as_str().to_owned(),
            client: clients.get(&project.client).cloned().unwrap_or_default(),
            selected: fields.project == project.id.to_string(),
        })
        .collect();
    let view = LinksPage {
        links,
        older,
        projects: choices,
        form: FormView {
            allow_download: !fields.allow_download.is_empty(),
            allow_upload: !fields.allow_upload.is_empty(),
            expires_in_days: fields.expires_in_days.clone(),
            max_uses: fields.max_uses.clone(),
            error,
        },
        created,
    };
    Ok(page.render_status(status, TEMPLATE, view))
}

fn row(
    formatter: &Formatter<'_>,
    projects: &HashMap<ProjectId, String>,
    clients: &HashMap<portal_core::ClientId, String>,
    people: &HashMap<UserId, User>,
    now: OffsetDateTime,
    link: ShareLink,
) -> Result<LinkRow, Failure> {
    let ShareTarget::Project(project) = link.target;
    let used_up = link.max_uses.is_some_and(|max| link.uses >= max);
    let (state_message, active) = if link.revoked_at.is_some() {
        ("admin-share-links-state-revoked", false)
    } else if link.expires_at <= now {
        ("admin-share-links-state-expired", false)
    } else if used_up {
        ("admin-share-links-state-used-up", true)
    } else {
        ("admin-share-links-state-active", true)
    };
    Ok(LinkRow {
        id: link.id.to_string(),
        target: projects
            .get(&project)
            .cloned()
            .unwrap_or_else(|| project.to_string()),
        client: clients.get(&link.client).cloned().unwrap_or_default(),
        created_by: person(people, link.created_by),
        created: formatter.date(link.created_at.date())?,
        expires: formatter.date(link.expires_at.date())?,
        uses: link.uses,
        max_uses: link.max_uses,
        downloads: link.allow_download,
        uploads: link.allow_upload,
        state_message,
        active,
    })
}

/// `POST admin/share-links`: makes a link and shows its token once.
pub(crate) async fn create(ip: ClientIp, form: PageForm<NewLinkFields>) -> Response {
    let PageForm { page, fields } = form;
    let result = create_link(&page, ip, &fields).await;
    super::answer(&page, result)
}

async fn create_link(
    page: &SignedPage,
    ip: ClientIp,
    fields: &NewLinkFields,
) -> Result<Response, Failure> {
    require(page, Permission::CreateShareLinks)?;
    let formatter = page.formatter();
    let invalid = |field: &str, id: &str, args: &[(&str, Arg<'_>)]| {
        FormError::new(&formatter, Some(field), id, args)
    };
    let unprocessable = |error: FormError| {
        render(
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            fields,
            Some(error),
            None,
        )
    };
    if fields.project.trim().is_empty() {
        return unprocessable(invalid("project", "admin-share-links-choose-project", &[])?).await;
    }
    let project: ProjectId = path_id(fields.project.trim())?;
    let days = match fields.expires_in_days.trim() {
        "" => DEFAULT_DAYS,
        text => match text.parse::<i64>() {
            Ok(days) => days,
            Err(_) => {
                return unprocessable(invalid("expires_in_days", "admin-share-links-days", &[])?)
                    .await;
            }
        },
    };
    let max_uses = match fields.max_uses.trim() {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(uses) => Some(uses),
            Err(_) => {
                return unprocessable(invalid("max_uses", "admin-share-links-uses-invalid", &[])?)
                    .await;
            }
        },
    };
    let made = page
        .state
        .share_links()
        .create_link(
            &page.scope,
            NewShareLink {
                project,
                allow_download: !fields.allow_download.is_empty(),
                allow_upload: !fields.allow_upload.is_empty(),
                expires_in: Duration::seconds(days.saturating_mul(SECONDS_PER_DAY)),
                max_uses,
            },
            &ip.audit(),
        )
        .await;
    let (token, link) = match made {
        Ok(made) => made,
        Err(AuthError::ShareLinkLifetime { max }) => {
            let error = invalid(
                "expires_in_days",
                "admin-share-links-days-range",
                &[("max", Arg::Number(max.whole_days()))],
            )?;
            return unprocessable(error).await;
        }
        Err(AuthError::ShareLinkMaxUses) => {
            return unprocessable(invalid("max_uses", "admin-share-links-uses-invalid", &[])?)
                .await;
        }
        Err(error) => return Err(ApiError::from(error).into()),
    };
    let ShareTarget::Project(project) = link.target;
    let target = projects(&page.state, &page.scope, Some(link.client))
        .await?
        .into_iter()
        .find(|candidate| candidate.id == project)
        .map_or_else(
            || project.to_string(),
            |found| found.name.as_str().to_owned(),
        );
    let created = Created {
        target,
        url: page
            .state
            .links()
            .share_link(&page.page.tenant, token.expose_secret())
            .to_string(),
        token: token.expose_secret().to_owned(),
    };
    render(
        page,
        StatusCode::CREATED,
        None,
        &NewLinkFields::default(),
        None,
        Some(created),
    )
    .await
}

/// `POST admin/share-links/{link_id}/revoke`: the link stops working at once.
pub(crate) async fn revoke(
    ip: ClientIp,
    Path(link_id): Path<String>,
    form: PageForm<NoFields>,
) -> Response {
    let page = form.page;
    let result = revoke_link(&page, ip, &link_id).await;
    super::answer(&page, result)
}

async fn revoke_link(page: &SignedPage, ip: ClientIp, link_id: &str) -> Result<Response, Failure> {
    require(page, Permission::CreateShareLinks)?;
    let id: ShareLinkId = path_id(link_id)?;
    page.state
        .share_links()
        .revoke(&page.scope, id, &ip.audit())
        .await
        .map_err(|error| match error {
            AuthError::Store(portal_storage::StoreError::NotFound) => {
                Failure::Page(PageError::NotFound)
            }
            other => Failure::from(other),
        })?;
    Ok(page.redirect_with_notice(PATH, "notice-admin-share-links-revoked"))
}
