//! `GET messages`: the conversations the viewer may see, by project — each project's general
//! conversation (always, so one can be started), then every thread on its deliverables,
//! documents, approvals, tasks and requests that holds a message the viewer may read, the most
//! recent first. A thread holding only internal messages does not show for a contact at all.

use axum::response::Response;
use portal_core::{Permission, ProjectId};
use serde::Serialize;
use time::OffsetDateTime;

use super::conversation::{People, datetime, excerpt, latest, when};
use super::subjects::{self, Kind, Subject};
use crate::pages::nav::holds_somewhere;
use crate::pages::page::PageError;
use crate::pages::signed::{Failure, SignedPage};

/// The longest excerpt of a thread's last message, in characters.
const EXCERPT_CHARS: usize = 160;

/// `GET messages`.
pub(crate) async fn show(page: SignedPage) -> Response {
    match list(&page).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The page's data.
#[derive(Debug, Serialize)]
struct MessagesView {
    groups: Vec<Group>,
}

/// The conversations of one project, or of none.
#[derive(Debug, Serialize)]
struct Group {
    /// The project's name; `None` for what belongs to no project the viewer sees.
    project: Option<String>,
    threads: Vec<ThreadItem>,
}

/// One conversation.
#[derive(Debug, Serialize)]
struct ThreadItem {
    kind_message: &'static str,
    title: String,
    href: String,
    /// The project's own conversation.
    general: bool,
    last: Option<LastMessage>,
    #[serde(skip)]
    last_at: Option<OffsetDateTime>,
}

/// The newest message of a conversation.
#[derive(Debug, Serialize)]
struct LastMessage {
    author: String,
    excerpt: String,
    when: String,
    datetime: String,
}

async fn list(page: &SignedPage) -> Result<Response, Failure> {
    // The navigation offers Messages with this permission; without it there is nothing here.
    if !holds_somewhere(&page.scope, Permission::ViewProjects) {
        return Err(PageError::NotFound.into());
    }
    let projects = subjects::projects(&page.state, &page.scope).await?;
    let others = subjects::others(&page.state, &page.scope, &projects).await?;
    let mut people = People::new(page);

    let mut groups: Vec<(Option<ProjectId>, Group)> = Vec::with_capacity(projects.len() + 1);
    for project in projects {
        let item = item(page, &mut people, &project).await?;
        groups.push((
            project.project,
            Group {
                project: Some(project.title),
                threads: vec![item],
            },
        ));
    }
    let mut unattached = Group {
        project: None,
        threads: Vec::new(),
    };
    for subject in others {
        let item = item(page, &mut people, &subject).await?;
        if item.last.is_none() {
            continue;
        }
        let group = groups
            .iter_mut()
            .find(|(project, _)| project.is_some() && *project == subject.project)
            .map_or(&mut unattached, |(_, group)| group);
        group.threads.push(item);
    }
    let mut groups: Vec<Group> = groups.into_iter().map(|(_, group)| group).collect();
    if !unattached.threads.is_empty() {
        groups.push(unattached);
    }
    for group in &mut groups {
        // The project's own conversation first, then the liveliest.
        group.threads.sort_by(|a, b| {
            b.general
                .cmp(&a.general)
                .then_with(|| b.last_at.cmp(&a.last_at))
        });
    }
    Ok(page.render("client/messages.html", MessagesView { groups }))
}

/// `subject` as a conversation of the list, with its newest message the viewer may read.
async fn item(
    page: &SignedPage,
    people: &mut People<'_>,
    subject: &Subject,
) -> Result<ThreadItem, Failure> {
    let formatter = page.formatter();
    let last = match latest(page, subject.thread()).await? {
        Some(message) => {
            let author = people.author(message.author).await?;
            Some((
                message.created_at,
                LastMessage {
                    author: author.name,
                    excerpt: excerpt(&message.body, EXCERPT_CHARS),
                    when: when(&formatter, message.created_at)?,
                    datetime: datetime(message.created_at),
                },
            ))
        }
        None => None,
    };
    let (last_at, last) = last.map_or((None, None), |(at, last)| (Some(at), Some(last)));
    Ok(ThreadItem {
        kind_message: subject.kind.message(),
        title: subject.title.clone(),
        href: format!("{}{}", page.page.base, subject.path()),
        general: subject.kind == Kind::Project,
        last,
        last_at,
    })
}
