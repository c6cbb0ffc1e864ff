//! `GET messages/{kind}/{id}`: one conversation — on a project, deliverable, document,
//! approval or task the viewer may see — with its messages newest last and, for roles with
//! `comment`, a form; `POST` posts to it. Anything the viewer may not see, and any id or kind
//! that is not one, is the branded 404.

use axum::extract::{Path, RawQuery};
use axum::response::Response;
use serde::Serialize;
use uuid::Uuid;

use super::conversation::{self, ConversationView, Draft, MessageFields, Place};
use super::listing::Listing;
use super::subjects::{self, Kind, Subject};
use crate::extract::ClientIp;
use crate::pages::page::PageError;
use crate::pages::signed::{Failure, PageForm, SignedPage};

/// `GET messages/{kind}/{id}`.
pub(crate) async fn show(
    page: SignedPage,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let shown = async {
        let subject = subject(&page, &kind, &id).await?;
        let listing = Listing::parse(query.as_deref(), conversation::MESSAGES_PER_PAGE)?;
        render(&page, &subject, listing, Draft::default()).await
    };
    match shown.await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// `POST messages/{kind}/{id}`: posts the message, then back to the conversation; a blank or
/// too long one is the form again with what was typed (422).
pub(crate) async fn post(
    Path((kind, id)): Path<(String, String)>,
    ip: ClientIp,
    PageForm { page, fields }: PageForm<MessageFields>,
) -> Response {
    let posted = async {
        let subject = subject(&page, &kind, &id).await?;
        match conversation::post(&page, ip, subject.thread(), &fields).await {
            Ok(()) => Ok(page.redirect_with_notice(&subject.path(), "notice-messages-posted")),
            Err(error) => match page.form_error(error) {
                Ok(error) => {
                    let draft = Draft {
                        fields,
                        error: Some(error),
                    };
                    render(
                        &page,
                        &subject,
                        Listing::first(conversation::MESSAGES_PER_PAGE)?,
                        draft,
                    )
                    .await
                }
                Err(response) => Ok(response),
            },
        }
    };
    match posted.await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The page's data.
#[derive(Debug, Serialize)]
struct ThreadView {
    kind_message: &'static str,
    title: String,
    /// The project it belongs to, when it is not the project itself.
    project: Option<String>,
    conversation: ConversationView,
}

/// The subject the path names, if the viewer may see it.
async fn subject(page: &SignedPage, kind: &str, id: &str) -> Result<Subject, Failure> {
    let kind = Kind::from_path(kind).ok_or(PageError::NotFound)?;
    let id = Uuid::try_parse(id).map_err(|_| PageError::NotFound)?;
    subjects::find(&page.state, &page.scope, kind, id)
        .await?
        .ok_or_else(|| PageError::NotFound.into())
}

async fn render(
    page: &SignedPage,
    subject: &Subject,
    listing: Listing,
    draft: Draft,
) -> Result<Response, Failure> {
    let project = match (subject.kind, subject.project) {
        (Kind::Project, _) | (_, None) => None,
        (_, Some(project)) => subjects::project_name(&page.state, &page.scope, project).await?,
    };
    let path = subject.path();
    let status = draft.status();
    let conversation = conversation::conversation(
        page,
        Place {
            subject: subject.thread(),
            client: subject.client,
            path: &path,
            action: &path,
            listing,
        },
        draft,
    )
    .await?;
    let view = ThreadView {
        kind_message: subject.kind.message(),
        title: subject.title.clone(),
        project,
        conversation,
    };
    Ok(page.render_status(status, "client/thread.html", view))
}
