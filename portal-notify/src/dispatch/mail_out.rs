//! Stages 3 and 4: mail. An instant notification becomes a mail of its own; digest ones are
//! gathered per person once a day. The mail holds only what the notification holds — the
//! object's name as the recipient could see it and a link — never the object's content.

use std::collections::BTreeMap;

use futures_util::StreamExt as _;
use portal_auth::{MailError, MailKind, OutgoingMail, Sender};
use portal_core::model::{MailState, Notification, Tenant, User};
use portal_core::{NotificationId, TenantId, TenantScope, UserId};
use portal_storage::{MailBatch, StoreResult};
use time::OffsetDateTime;

use super::links::object_path;
use super::{DispatchError, Dispatcher};
use crate::mail::{MailBrand, MailItem, NotificationMail};
use crate::webhook::next_attempt;

/// Sends the due instant mails; how many went out.
pub(super) async fn instant(
    dispatcher: &Dispatcher,
    now: OffsetDateTime,
) -> Result<usize, DispatchError> {
    let config = &dispatcher.config;
    let claimed = dispatcher
        .stores
        .notifications
        .claim_mail(MailBatch::Instant, now, config.batch, config.lease)
        .await?;
    let sent: Vec<StoreResult<bool>> = futures_util::stream::iter(claimed)
        .map(|notification| send(dispatcher, vec![notification], false, now))
        .buffer_unordered(config.concurrency.max(1))
        .collect()
        .await;
    count_sent(sent)
}

/// Sends every person's digest of what happened before `cut_off`; how many went out.
pub(super) async fn digest(
    dispatcher: &Dispatcher,
    now: OffsetDateTime,
    cut_off: OffsetDateTime,
) -> Result<usize, DispatchError> {
    let config = &dispatcher.config;
    let mut mails = 0;
    loop {
        let claimed = dispatcher
            .stores
            .notifications
            .claim_mail(
                MailBatch::Digest { before: cut_off },
                now,
                config.batch,
                config.lease,
            )
            .await?;
        if claimed.is_empty() {
            return Ok(mails);
        }
        let mut people: BTreeMap<(TenantId, UserId), Vec<Notification>> = BTreeMap::new();
        for notification in claimed {
            people
                .entry((notification.tenant, notification.user))
                .or_default()
                .push(notification);
        }
        let sent: Vec<StoreResult<bool>> = futures_util::stream::iter(people.into_values())
            .map(|notifications| send(dispatcher, notifications, true, now))
            .buffer_unordered(config.concurrency.max(1))
            .collect()
            .await;
        mails += count_sent(sent)?;
    }
}

/// How many sends succeeded; the first store failure, if any.
fn count_sent(results: Vec<StoreResult<bool>>) -> Result<usize, DispatchError> {
    let mut sent = 0;
    for result in results {
        if result? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Sends one mail about `notifications` (all of one person); whether it went out. Failures
/// that may pass are retried with backoff, the rest end the notifications' mail.
async fn send(
    dispatcher: &Dispatcher,
    notifications: Vec<Notification>,
    digest: bool,
    now: OffsetDateTime,
) -> StoreResult<bool> {
    let store = &dispatcher.stores.notifications;
    let Some(first) = notifications.first() else {
        return Ok(false);
    };
    let ids: Vec<NotificationId> = notifications
        .iter()
        .map(|notification| notification.id)
        .collect();
    let system = TenantScope::dangerous_system(first.tenant);
    let tenant = dispatcher.stores.tenants.tenant(&system).await?;
    let user = dispatcher
        .stores
        .identities
        .user(&system, first.user)
        .await?
        .filter(|user| !user.disabled);
    let Some(user) = user else {
        store.drop_mail(&ids, MailState::None).await?;
        return Ok(false);
    };
    let mail = match compose(dispatcher, &tenant, &user, &notifications, digest) {
        Ok(mail) => mail,
        Err(error) => {
            tracing::error!(%error, "a notification mail could not be rendered");
            store.mark_mail_failed(&ids, None).await?;
            return Ok(false);
        }
    };
    match dispatcher.mailer.send(mail).await {
        Ok(()) => {
            store.mark_mail_sent(&ids).await?;
            Ok(true)
        }
        Err(MailError::Unavailable) => {
            let retry = next_attempt(first.mail_attempts, first.occurred_at, now);
            store.mark_mail_failed(&ids, retry).await?;
            Ok(false)
        }
        Err(_) => {
            store.mark_mail_failed(&ids, None).await?;
            Ok(false)
        }
    }
}

/// Renders the mail for `user` about `notifications`.
fn compose(
    dispatcher: &Dispatcher,
    tenant: &Tenant,
    user: &User,
    notifications: &[Notification],
    digest: bool,
) -> Result<OutgoingMail, crate::mail::RenderError> {
    let links = &dispatcher.links;
    let staff = user.side == portal_core::Side::Staff;
    let items = notifications
        .iter()
        .map(|notification| MailItem {
            event_type: notification.event_type,
            title: notification.title.clone(),
            link: links.page(tenant, &object_path(notification, staff)),
            occurred_at: notification.occurred_at,
        })
        .collect();
    let branding = &tenant.branding;
    let single_type = match notifications {
        [only] if !digest => Some(only.event_type),
        _ => None,
    };
    let unsubscribe = single_type
        .filter(|event_type| !event_type.is_security())
        .map(|event_type| links.preferences(tenant, user.id, Some(event_type)));
    let locale = user
        .locale
        .clone()
        .or_else(|| {
            branding
                .default_locale
                .as_ref()
                .map(|tag| tag.as_str().to_owned())
        })
        .unwrap_or_else(|| "en".to_owned());
    let rendered = dispatcher.renderer.render(&NotificationMail {
        brand: MailBrand {
            name: branding.display_name.as_str().to_owned(),
            primary_colour: branding.primary_colour.as_str().to_owned(),
            logo_url: branding
                .logo_url
                .as_ref()
                .and_then(|logo| url::Url::parse(logo.as_str()).ok()),
        },
        recipient_name: user.name.as_str().to_owned(),
        locale,
        items,
        digest,
        preferences_link: links.preferences(tenant, user.id, None),
        unsubscribe_link: unsubscribe.clone(),
    })?;
    let kind = if digest {
        MailKind::Digest
    } else {
        MailKind::Notification
    };
    let mut mail = OutgoingMail::new(user.email.clone(), rendered.subject, rendered.text, kind)
        .with_html(rendered.html);
    if let Some(address) = branding.email_sender_address.clone() {
        let name = branding
            .email_sender_name
            .as_ref()
            .unwrap_or(&branding.display_name)
            .as_str()
            .to_owned();
        mail = mail.with_from(Sender { name, address });
    }
    if let Some(unsubscribe) = unsubscribe {
        mail = mail.with_list_unsubscribe(unsubscribe);
    }
    Ok(mail)
}
