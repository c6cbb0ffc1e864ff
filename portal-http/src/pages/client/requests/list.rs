//! `GET requests`: the requests the viewer may see (`RequestStore::list_requests` with the
//! page's scope, like `GET /requests`), the ones still open first, each with its status, who
//! asked and its last activity — its own last change or the newest message on it the viewer
//! may read, whichever is later.

use std::collections::HashMap;

use axum::extract::RawQuery;
use axum::response::Response;
use portal_core::model::{Request, ThreadSubject};
use portal_core::{ClientId, Permission, ProjectId};
use serde::Serialize;
use time::OffsetDateTime;

use super::status;
use crate::pages::client::messages::conversation::{People, datetime, latest, when};
use crate::pages::client::messages::listing::Listing;
use crate::pages::client::messages::subjects::project_name;
use crate::pages::nav::holds_somewhere;
use crate::pages::page::PageError;
use crate::pages::signed::{Failure, SignedPage};

/// How many requests a page lists; older ones are a link away.
const REQUESTS_PER_PAGE: u32 = 50;

/// `GET requests`.
pub(crate) async fn show(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    match list(&page, query.as_deref()).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The page's data.
#[derive(Debug, Serialize)]
struct RequestsView {
    /// Open and in progress.
    active: Vec<RequestItem>,
    /// Resolved and closed.
    done: Vec<RequestItem>,
    /// Whether the viewer may submit a request (the link to the form).
    can_submit: bool,
    /// The requests after these, if any.
    older_url: Option<String>,
    /// The newest requests, when this page shows older ones.
    newest_url: Option<String>,
}

/// One request of the list.
#[derive(Debug, Serialize)]
struct RequestItem {
    href: String,
    title: String,
    status_message: &'static str,
    asker: String,
    last_activity: String,
    last_activity_datetime: String,
    project: Option<String>,
    /// For staff, who see several clients' requests.
    client: Option<String>,
    #[serde(skip)]
    active: bool,
    #[serde(skip)]
    last_at: OffsetDateTime,
}

async fn list(page: &SignedPage, query: Option<&str>) -> Result<Response, Failure> {
    // The navigation offers Requests with this permission; without it there is nothing here.
    if !holds_somewhere(&page.scope, Permission::ViewRequests) {
        return Err(PageError::NotFound.into());
    }
    let listing = Listing::parse(query, REQUESTS_PER_PAGE)?;
    let paged = page
        .state
        .stores()
        .requests
        .list_requests(&page.scope, None, listing.page)
        .await?;
    let mut names = Names::new(page);
    let mut items = Vec::with_capacity(paged.items.len());
    for request in paged.items {
        items.push(names.item(request).await?);
    }
    // Open first, then by last activity, the latest first.
    items.sort_by(|a, b| {
        b.active
            .cmp(&a.active)
            .then_with(|| b.last_at.cmp(&a.last_at))
    });
    let (active, done) = items.into_iter().partition(|item| item.active);
    let base = &page.page.base;
    let view = RequestsView {
        active,
        done,
        can_submit: !page.scope.is_read_only()
            && holds_somewhere(&page.scope, Permission::SubmitRequests),
        older_url: paged
            .next
            .map(|cursor| format!("{base}/requests?cursor={cursor}")),
        newest_url: listing.is_continued().then(|| format!("{base}/requests")),
    };
    Ok(page.render("client/requests.html", view))
}

/// The names a list shows, each looked up once with the page's scope.
struct Names<'a> {
    page: &'a SignedPage,
    people: People<'a>,
    projects: HashMap<ProjectId, Option<String>>,
    clients: HashMap<ClientId, Option<String>>,
}

impl<'a> Names<'a> {
    fn new(page: &'a SignedPage) -> Self {
        Self {
            page,
            people: People::new(page),
            projects: HashMap::new(),
            clients: HashMap::new(),
        }
    }

    async fn item(&mut self, request: Request) -> Result<RequestItem, Failure> {
        let page = self.page;
        let formatter = page.formatter();
        let latest = latest(page, ThreadSubject::Request(request.id)).await?;
        let last_at = latest
            .map(|message| message.created_at)
            .filter(|at| *at > request.updated_at)
            .unwrap_or(request.updated_at);
        let asker = self.people.author(request.submitted_by).await?;
        let project = match request.project {
            Some(id) => self.project(id).await?,
            None => None,
        };
        let client = if page.scope.is_staff_side() {
            self.client(request.client).await?
        } else {
            None
        };
        Ok(RequestItem {
            href: format!("{}/requests/{}", page.page.base, request.id),
            title: request.title.into_string(),
            status_message: status::message(request.status),
            asker: asker.name,
            last_activity: when(&formatter, last_at)?,
            last_activity_datetime: datetime(last_at),
            project,
            client,
            active: status::is_active(request.status),
            last_at,
        })
    }

    async fn project(&mut self, id: ProjectId) -> Result<Option<String>, Failure> {
        if let Some(name) = self.projects.get(&id) {
            return Ok(name.clone());
        }
        let name = project_name(&self.page.state, &self.page.scope, id).await?;
        self.projects.insert(id, name.clone());
        Ok(name)
    }

    async fn client(&mut self, id: ClientId) -> Result<Option<String>, Failure> {
        if let Some(name) = self.clients.get(&id) {
            return Ok(name.clone());
        }
        let name = self
            .page
            .state
            .stores()
            .clients
            .client(&self.page.scope, id)
            .await?
            .map(|client| client.name.into_string());
        self.clients.insert(id, name.clone());
        Ok(name)
    }
}
