//! Who hears of an event: every member of the audience whose *own* scope can read the object.
//! Reading with the recipient's scope is what keeps internal work, drafts and finance away from
//! contacts who may not see them — the same store rules as every API call, not a second copy.

use std::collections::BTreeSet;

use portal_core::model::{MembershipRecord, ThreadSubject};
use portal_core::{
    ApprovalId, DocumentId, InvoiceId, MembershipKind, MilestoneId, RequestId, TenantId,
    TenantScope, UpdateId, UserId,
};
use portal_storage::{Page, StoreError, StoreResult, Stores};
use uuid::Uuid;

use super::classify::{Audience, Classified};

/// The longest message excerpt a notification keeps as its title.
const EXCERPT_CHARS: usize = 80;

/// One person who hears of the event, with what they may see of its object.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// The person.
    pub user: UserId,
    /// Their scope, as a request of theirs would have it.
    pub scope: TenantScope,
    /// The object's name as they may see it.
    pub title: String,
}

/// Every membership of `tenant`, read once per tenant and pass: the audiences of all its
/// events are drawn from it.
pub async fn members_of(stores: &Stores, tenant: TenantId) -> StoreResult<Vec<MembershipRecord>> {
    let system = TenantScope::dangerous_system(tenant);
    let mut members = Vec::new();
    let mut page = Page::first(Page::MAX_LIMIT).map_err(StoreError::from)?;
    loop {
        let listed = stores
            .memberships
            .list_memberships(&system, None, page)
            .await?;
        members.extend(listed.items);
        match listed.next {
            Some(cursor) => page = page.after(Some(cursor)),
            None => return Ok(members),
        }
    }
}

/// Whether the event's audience is drawn from the tenant's memberships ([`members_of`]).
#[must_use]
pub const fn needs_members(event: &Classified) -> bool {
    matches!(
        event.audience,
        Audience::Contacts | Audience::Staff | Audience::Everyone
    )
}

/// The people of `tenant` who hear of `event`; `members` are the tenant's memberships
/// ([`members_of`]) when the audience [`needs_members`].
pub async fn recipients(
    stores: &Stores,
    tenant: TenantId,
    event: &Classified,
    members: &[MembershipRecord],
) -> StoreResult<Vec<Recipient>> {
    let mut recipients = Vec::new();
    for user in candidates(stores, tenant, event, members).await? {
        let memberships = stores.memberships.memberships_of(tenant, user).await?;
        let Ok(scope) = TenantScope::from_memberships(&memberships) else {
            continue; // no membership left: nobody to tell
        };
        match visible_title(stores, &scope, event).await? {
            // People are not told of their own messages.
            Some(seen) if seen.author != Some(user) => recipients.push(Recipient {
                user,
                scope,
                title: seen.title,
            }),
            _ => {}
        }
    }
    Ok(recipients)
}

/// The members the audience names, before checking what each may read.
async fn candidates(
    stores: &Stores,
    tenant: TenantId,
    event: &Classified,
    members: &[MembershipRecord],
) -> StoreResult<BTreeSet<UserId>> {
    match event.audience {
        Audience::Person(user) => {
            // A password set before the first sign-in is the account being set up (an
            // invitation, a seeded account), not a change to warn about.
            let system = TenantScope::dangerous_system(tenant);
            let signed_in = stores
                .identities
                .user(&system, user)
                .await?
                .is_some_and(|user| user.last_login_at.is_some());
            Ok(if signed_in {
                BTreeSet::from([user])
            } else {
                BTreeSet::new()
            })
        }
        Audience::Nobody => Ok(BTreeSet::new()),
        Audience::Contacts | Audience::Staff | Audience::Everyone => Ok(members
            .iter()
            .filter(|membership| in_audience(membership, event))
            .map(|membership| membership.user)
            .collect()),
    }
}

/// Whether a membership belongs to the event's audience (before the read check).
fn in_audience(membership: &MembershipRecord, event: &Classified) -> bool {
    match (&membership.kind, event.audience) {
        (MembershipKind::Contact { client }, Audience::Contacts | Audience::Everyone) => {
            event.client == Some(*client)
        }
        (MembershipKind::Staff { .. }, Audience::Staff | Audience::Everyone) => true,
        _ => false,
    }
}

/// What a recipient sees of the object.
struct Seen {
    /// The object's name (for a message: its first words).
    title: String,
    /// Who wrote it, for messages.
    author: Option<UserId>,
}

impl From<String> for Seen {
    fn from(title: String) -> Self {
        Self {
            title,
            author: None,
        }
    }
}

/// The object's name as `scope` sees it; `None` when the scope may not read it.
async fn visible_title(
    stores: &Stores,
    scope: &TenantScope,
    event: &Classified,
) -> StoreResult<Option<Seen>> {
    let id: Uuid = event.object.id;
    let title = match event.object.kind.as_str() {
        "milestone" => hidden_as_none(
            stores
                .milestones
                .milestone(scope, MilestoneId::from_uuid(id))
                .await,
        )?
        .map(|milestone| milestone.title.into_string()),
        "update" => hidden_as_none(stores.updates.update(scope, UpdateId::from_uuid(id)).await)?
            .map(|update| update.title.into_string()),
        "document" => hidden_as_none(
            stores
                .documents
                .document(scope, DocumentId::from_uuid(id))
                .await,
        )?
        .map(|document| document.title.into_string()),
        "approval" => {
            let approval = hidden_as_none(
                stores
                    .approvals
                    .approval(scope, ApprovalId::from_uuid(id))
                    .await,
            )?;
            match approval {
                Some(approval) => Some(approval_title(stores, scope, &approval).await?),
                None => None,
            }
        }
        "request" => hidden_as_none(
            stores
                .requests
                .request(scope, RequestId::from_uuid(id))
                .await,
        )?
        .map(|request| request.title.into_string()),
        "invoice" => hidden_as_none(
            stores
                .invoices
                .invoice(scope, InvoiceId::from_uuid(id))
                .await,
        )?
        .map(|invoice| invoice.number),
        "message" => {
            return match event.thread {
                Some(subject) => message_excerpt(stores, scope, subject, id).await,
                None => Ok(None),
            };
        }
        "user" => Some(String::new()),
        _ => None,
    };
    Ok(title.map(Seen::from))
}

/// What an approval is on: its deliverable's title when there is one the scope can read.
async fn approval_title(
    stores: &Stores,
    scope: &TenantScope,
    approval: &portal_core::model::Approval,
) -> StoreResult<String> {
    if let Some(deliverable) = approval.deliverable
        && let Some(deliverable) =
            hidden_as_none(stores.deliverables.deliverable(scope, deliverable).await)?
    {
        return Ok(deliverable.title.into_string());
    }
    Ok(String::new())
}

/// The start of a message the scope can read (internal ones reach staff only: the store's rule).
async fn message_excerpt(
    stores: &Stores,
    scope: &TenantScope,
    subject: ThreadSubject,
    id: Uuid,
) -> StoreResult<Option<Seen>> {
    // A message is announced as it is posted, so it is among the newest of its thread.
    let page = Page::first(Page::MAX_LIMIT).map_err(StoreError::from)?;
    let messages = hidden_as_none(
        stores
            .threads
            .list_messages(scope, subject, page)
            .await
            .map(Some),
    )?;
    Ok(messages.and_then(|messages| {
        messages
            .items
            .into_iter()
            .find(|message| *message.id.as_uuid() == id)
            .map(|message| Seen {
                title: excerpt(&message.body),
                author: Some(message.author),
            })
    }))
}

/// The first words of a text, on one line.
fn excerpt(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= EXCERPT_CHARS {
        return line;
    }
    let mut short: String = line.chars().take(EXCERPT_CHARS - 1).collect();
    short.push('…');
    short
}

/// A read the scope is refused counts as "cannot see": the recipient is skipped.
fn hidden_as_none<T>(read: StoreResult<Option<T>>) -> StoreResult<Option<T>> {
    match read {
        Ok(found) => Ok(found),
        Err(StoreError::NotFound | StoreError::Forbidden(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(excerpt("Hello\n\n  team"), "Hello team");
        let long = "word ".repeat(40);
        let short = excerpt(&long);
        assert_eq!(short.chars().count(), EXCERPT_CHARS);
        assert!(short.ends_with('…'));
    }
}
