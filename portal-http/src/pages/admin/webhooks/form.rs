//! The endpoint form shared by "new endpoint" and "edit endpoint": its fields as posted, the
//! event-type checkboxes grouped by what they are about, and the check of the address in the
//! reader's language before the API's own checks run.

use axum::response::Response;
use portal_core::model::{EventType, WebhookEndpoint, WebhookEndpointInput};
use serde::{Deserialize, Serialize};

use super::super::super::catalogue::CatalogueError;
use super::super::super::form::FormError;
use super::super::super::format::Formatter;
use super::super::super::notifications::event_message;
use super::super::super::signed::SignedPage;
use crate::api::staff::webhooks::endpoint_input;

/// An endpoint's form as posted. Unticked checkboxes are absent, so `active` is "on" or empty.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct EndpointFields {
    pub(crate) url: String,
    pub(crate) description: String,
    pub(crate) event_types: Vec<String>,
    pub(crate) active: String,
}

impl EndpointFields {
    /// The fields of a new endpoint: empty, every event, active.
    pub(crate) fn new_endpoint() -> Self {
        Self {
            active: "on".to_owned(),
            ..Self::default()
        }
    }

    /// The fields showing `endpoint` as it is stored.
    pub(crate) fn of(endpoint: &WebhookEndpoint) -> Self {
        Self {
            url: endpoint.url.as_str().to_owned(),
            description: endpoint.description.clone(),
            event_types: endpoint
                .event_types
                .iter()
                .map(|event_type| event_type.as_str().to_owned())
                .collect(),
            active: if endpoint.active { "on" } else { "" }.to_owned(),
        }
    }

    fn is_active(&self) -> bool {
        !self.active.is_empty()
    }
}

/// The form as a template shows it.
#[derive(Debug, Serialize)]
pub(crate) struct EndpointForm {
    url: String,
    description: String,
    active: bool,
    groups: Vec<EventGroup>,
    error: Option<FormError>,
}

/// The event types about one area, as checkboxes.
#[derive(Debug, Serialize)]
struct EventGroup {
    title_message: &'static str,
    events: Vec<EventChoice>,
}

#[derive(Debug, Serialize)]
struct EventChoice {
    name: &'static str,
    label: String,
    checked: bool,
}

/// The groups the checkboxes come in, by the first part of an event type's name; a type of an
/// area not listed here lands in the last group, so a new type is never left out.
const GROUPS: &[(&str, &[&str])] = &[
    (
        "admin-webhooks-group-work",
        &["milestone", "update", "document"],
    ),
    ("admin-webhooks-group-approvals", &["approval"]),
    ("admin-webhooks-group-conversation", &["request", "message"]),
    ("admin-webhooks-group-finance", &["invoice"]),
    ("admin-webhooks-group-people", &["invitation", "security"]),
];

/// The group an event type is shown in: an index into [`GROUPS`].
fn group_of(event_type: EventType) -> usize {
    let area = event_type
        .as_str()
        .split_once('.')
        .map_or(event_type.as_str(), |(area, _)| area);
    GROUPS
        .iter()
        .position(|(_, areas)| areas.contains(&area))
        .unwrap_or(GROUPS.len() - 1)
}

/// `fields` as the template shows them, with `error` next to its field.
pub(crate) fn view(
    formatter: &Formatter<'_>,
    fields: &EndpointFields,
    error: Option<FormError>,
) -> Result<EndpointForm, CatalogueError> {
    let mut groups: Vec<EventGroup> = GROUPS
        .iter()
        .map(|(title_message, _)| EventGroup {
            title_message,
            events: Vec::new(),
        })
        .collect();
    for event_type in EventType::ALL {
        let name = event_type.as_str();
        let choice = EventChoice {
            name,
            label: formatter.text(&event_message(name))?,
            checked: fields.event_types.iter().any(|ticked| ticked == name),
        };
        if let Some(group) = groups.get_mut(group_of(*event_type)) {
            group.events.push(choice);
        }
    }
    groups.retain(|group| !group.events.is_empty());
    Ok(EndpointForm {
        url: fields.url.clone(),
        description: fields.description.clone(),
        active: fields.is_active(),
        groups,
        error,
    })
}

/// Why the form's endpoint was not made.
pub(crate) enum Refused {
    /// The input was at fault: show the form again with this message.
    Form(FormError),
    /// Something else: give this answer instead (sign-in, error page).
    Answer(Box<Response>),
}

/// The endpoint `fields` describe, or why not. The address is checked here first, so its two
/// common mistakes — not an address, or plain `http://` where the host allows only `https://` —
/// read as the page's own words next to the field; the API's checks (the same as
/// `POST /webhooks`) do the rest.
pub(crate) fn input(
    page: &SignedPage,
    fields: &EndpointFields,
) -> Result<WebhookEndpointInput, Refused> {
    let allow_http = page.state.config().allow_http_webhooks;
    let refusal = match url::Url::parse(fields.url.trim()) {
        Ok(url) if url.scheme() == "https" && url.host().is_some() => None,
        Ok(url) if url.scheme() == "http" && url.host().is_some() => {
            (!allow_http).then_some("admin-webhooks-url-https-only")
        }
        _ => Some("admin-webhooks-url-invalid"),
    };
    if let Some(id) = refusal {
        return Err(
            match FormError::new(&page.formatter(), Some("url"), id, &[]) {
                Ok(error) => Refused::Form(error),
                Err(error) => Refused::Answer(Box::new(page.fail(error))),
            },
        );
    }
    endpoint_input(
        allow_http,
        &fields.url,
        fields.description.clone(),
        &fields.event_types,
        fields.is_active(),
    )
    .map_err(|error| match page.form_error(error) {
        Ok(error) => Refused::Form(error),
        Err(answer) => Refused::Answer(Box::new(answer)),
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::super::catalogue::Catalogue;
    use super::super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_event_type_has_a_group_of_its_area() {
        assert_eq!(group_of(EventType::MilestonePublished), 0);
        assert_eq!(group_of(EventType::ApprovalDueSoon), 1);
        assert_eq!(group_of(EventType::MessagePosted), 2);
        assert_eq!(group_of(EventType::InvoiceOverdue), 3);
        assert_eq!(group_of(EventType::SecurityMfaChanged), 4);
    }

    #[test]
    fn every_group_has_its_title_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for locale in Locale::ALL {
            for (title, _) in GROUPS {
                catalogue.text(locale, title, None).unwrap();
            }
        }
    }
}
