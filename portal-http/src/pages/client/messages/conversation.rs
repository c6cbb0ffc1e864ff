//! One conversation as a page shows it — its messages newest last, each with its author and
//! time, and the form to post — shared by the thread page and the request page. Messages are
//! read with the page's scope (`ThreadStore::list_messages`, as `GET …/messages` does), so a
//! contact never gets an internal one; posting goes through the API's own `post_on`.

use std::collections::HashMap;

use axum::http::StatusCode;
use portal_core::model::{Message, ThreadSubject, User};
use portal_core::{ClientId, Permission, Side, UserId, Visibility};
use portal_storage::{Page, StoreError};
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use super::listing::Listing;
use crate::api::client_views::holds;
use crate::api::threads::{PostMessage, post_on};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::pages::catalogue::Arg;
use crate::pages::form::FormError;
use crate::pages::format::Formatter;
use crate::pages::signed::{Failure, SignedPage};

/// How many messages a conversation shows at once; older ones are a link away.
pub(crate) const MESSAGES_PER_PAGE: u32 = 50;

/// The fields of the post form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct MessageFields {
    /// The message.
    #[serde(default)]
    pub(crate) body: String,
    /// Staff only: present when the message is for the client too.
    #[serde(default)]
    pub(crate) share: Option<String>,
}

/// A conversation for the template.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationView {
    /// The messages, oldest first.
    messages: Vec<MessageItem>,
    /// Where the messages before these are, when there are any.
    earlier_url: Option<String>,
    /// Where the newest messages are, when this page shows older ones.
    latest_url: Option<String>,
    /// The post form, for those who may post here.
    form: Option<PostForm>,
}

/// One message.
#[derive(Debug, Serialize)]
pub(crate) struct MessageItem {
    /// Who wrote it, as the viewer may know them.
    author: String,
    /// Written by the team.
    team: bool,
    /// Written by the viewer.
    yours: bool,
    /// For staff only (only staff ever get such a message from the store).
    internal: bool,
    /// The text.
    body: String,
    /// When, in words.
    when: String,
    /// When, for `<time datetime>`.
    datetime: String,
}

/// The form that posts a message.
#[derive(Debug, Serialize)]
struct PostForm {
    /// Where it posts.
    action: String,
    /// What was typed, when the form is shown again.
    body: String,
    /// Why the text was not accepted.
    body_error: Option<String>,
    /// Why the form was not accepted, when it is not about the text.
    error: Option<String>,
    /// Staff choose whether the client sees the message.
    may_share: bool,
    /// The choice, when the form is shown again.
    share: bool,
}

/// What the post form shows: empty, or what was typed with why it was refused.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    /// The typed fields.
    pub(crate) fields: MessageFields,
    /// Why they were refused.
    pub(crate) error: Option<FormError>,
}

impl Draft {
    /// The status of a page showing this draft: 422 when it was refused.
    pub(crate) const fn status(&self) -> StatusCode {
        if self.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }
}

/// Where a conversation is shown and posted to, and which of its messages.
#[derive(Debug)]
pub(crate) struct Place<'a> {
    /// What it is about.
    pub(crate) subject: ThreadSubject,
    /// The client whose it is: commenting is a permission in it.
    pub(crate) client: ClientId,
    /// The page that shows it, under the base (for the links to older messages).
    pub(crate) path: &'a str,
    /// Where its form posts, under the base.
    pub(crate) action: &'a str,
    /// Which of its messages: the newest, or older ones.
    pub(crate) listing: Listing,
}

/// The conversation at `place`, its form showing `draft` when the viewer may comment.
pub(crate) async fn conversation(
    page: &SignedPage,
    place: Place<'_>,
    draft: Draft,
) -> Result<ConversationView, Failure> {
    let Place {
        subject,
        client,
        path: page_path,
        action,
        listing: paging,
    } = place;
    let older = paging.is_continued();
    let paged = page
        .state
        .stores()
        .threads
        .list_messages(&page.scope, subject, paging.page)
        .await?;
    let formatter = page.formatter();
    let mut people = People::new(page);
    let mut messages = Vec::with_capacity(paged.items.len());
    // The store lists newest first; a conversation reads top to bottom.
    for message in paged.items.into_iter().rev() {
        messages.push(people.item(&formatter, message).await?);
    }
    let base = &page.page.base;
    let may_post = !page.scope.is_read_only() && holds(&page.scope, client, Permission::Comment);
    let form = may_post.then(|| {
        let (body_error, error) = match draft.error {
            Some(error) if error.is_about("body") => (Some(error.message), None),
            Some(error) => (None, Some(error.message)),
            None => (None, None),
        };
        PostForm {
            action: format!("{base}{action}"),
            body: draft.fields.body,
            body_error,
            error,
            may_share: page.scope.is_staff_side(),
            share: draft.fields.share.is_some(),
        }
    });
    Ok(ConversationView {
        messages,
        earlier_url: paged
            .next
            .map(|cursor| format!("{base}{page_path}?cursor={cursor}")),
        latest_url: older.then(|| format!("{base}{page_path}")),
        form,
    })
}

/// Posts the form's message on `subject`, as `POST …/messages` does: a contact's message is
/// always shared; a member of staff's is internal unless they share it.
pub(crate) async fn post(
    page: &SignedPage,
    ip: ClientIp,
    subject: ThreadSubject,
    fields: &MessageFields,
) -> Result<(), ApiError> {
    let visibility =
        (page.scope.is_staff_side() && fields.share.is_some()).then_some(Visibility::Shared);
    post_on(
        &page.state,
        &page.scope,
        ip,
        subject,
        PostMessage {
            body: fields.body.clone(),
            visibility,
        },
    )
    .await
    .map(|_| ())
}

/// The latest message on `subject` the scope may see, if any. A subject the scope may not read
/// threads of has none, rather than failing a whole list.
pub(crate) async fn latest(
    page: &SignedPage,
    subject: ThreadSubject,
) -> Result<Option<Message>, Failure> {
    match page
        .state
        .stores()
        .threads
        .list_messages(&page.scope, subject, Page::first(1)?)
        .await
    {
        Ok(paged) => Ok(paged.items.into_iter().next()),
        Err(StoreError::NotFound | StoreError::Forbidden(_)) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// The names of the people in a conversation, looked up once each with the page's scope: a
/// contact knows the contacts of their own client, staff know everyone they work with. Whom the
/// viewer may not look up — the team, for a contact — shows as the tenant.
pub(crate) struct People<'a> {
    page: &'a SignedPage,
    known: HashMap<UserId, Option<User>>,
}

/// Who wrote something, as the viewer may know them.
#[derive(Debug, Clone)]
pub(crate) struct Author {
    /// Their name, "You", or the tenant's name.
    pub(crate) name: String,
    /// Of the team (or unknown to the viewer, which for a contact is the team).
    pub(crate) team: bool,
    /// The viewer.
    pub(crate) yours: bool,
}

impl<'a> People<'a> {
    /// No one looked up yet.
    pub(crate) fn new(page: &'a SignedPage) -> Self {
        Self {
            page,
            known: HashMap::new(),
        }
    }

    /// The author `id`.
    pub(crate) async fn author(&mut self, id: UserId) -> Result<Author, Failure> {
        let formatter = self.page.formatter();
        if id == self.page.user.id {
            return Ok(Author {
                name: formatter.text("messages-author-you")?,
                team: self.page.user.side == Side::Staff,
                yours: true,
            });
        }
        if !self.known.contains_key(&id) {
            let user = self
                .page
                .state
                .stores()
                .identities
                .user(&self.page.scope, id)
                .await?;
            self.known.insert(id, user);
        }
        Ok(match self.known.get(&id).and_then(Option::as_ref) {
            Some(user) => Author {
                name: user.name.as_str().to_owned(),
                team: user.side == Side::Staff,
                yours: false,
            },
            None => Author {
                name: self
                    .page
                    .page
                    .tenant
                    .branding
                    .display_name
                    .as_str()
                    .to_owned(),
                team: true,
                yours: false,
            },
        })
    }

    /// A message for the template.
    async fn item(
        &mut self,
        formatter: &Formatter<'_>,
        message: Message,
    ) -> Result<MessageItem, Failure> {
        let author = self.author(message.author).await?;
        Ok(MessageItem {
            author: author.name,
            team: author.team,
            yours: author.yours,
            internal: !message.visibility.is_shared(),
            when: when(formatter, message.created_at)?,
            datetime: datetime(message.created_at),
            body: message.body,
        })
    }
}

/// A moment in words: "March 7, 2026 at 14:05 UTC".
pub(crate) fn when(formatter: &Formatter<'_>, at: OffsetDateTime) -> Result<String, Failure> {
    let at = at.to_offset(UtcOffset::UTC);
    let date = formatter.date(at.date())?;
    let time = format!("{:02}:{:02}", at.hour(), at.minute());
    Ok(formatter.text_with(
        "messages-when",
        &[
            ("date", Arg::Text(date.into())),
            ("time", Arg::Text(time.into())),
        ],
    )?)
}

/// A moment for `<time datetime>`: RFC 3339 in UTC, to the second.
pub(crate) fn datetime(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The start of a text on one line, cut at a word when it is long.
pub(crate) fn excerpt(text: &str, max_chars: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max_chars {
        return line;
    }
    let cut: String = line.chars().take(max_chars).collect();
    let at_word = cut
        .rfind(' ')
        .map_or(cut.as_str(), |at| &cut[..at])
        .trim_end();
    format!("{at_word}…")
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::pages::catalogue::Catalogue;
    use crate::pages::locale::Locale;

    #[test]
    fn moments_read_the_same_in_every_locale_in_utc() {
        let catalogue = Catalogue::new().unwrap();
        let at = datetime!(2026-03-07 15:05:09 +01:00);
        let en = Formatter {
            catalogue: &catalogue,
            locale: Locale::En,
        };
        let de = Formatter {
            catalogue: &catalogue,
            locale: Locale::De,
        };
        assert_eq!(when(&en, at).unwrap(), "March 7, 2026 at 14:05 UTC");
        assert_eq!(when(&de, at).unwrap(), "7. März 2026 um 14:05 UTC");
        assert_eq!(datetime(at), "2026-03-07T14:05:09Z");
    }

    #[test]
    fn excerpts_are_one_line_cut_at_a_word() {
        assert_eq!(excerpt("  Hello\n\nthere  ", 40), "Hello there");
        assert_eq!(excerpt("one two three four", 10), "one two…");
        assert_eq!(excerpt("abcdefghijkl", 5), "abcde…");
    }
}
