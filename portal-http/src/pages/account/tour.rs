//! The first-login tour: a short panel on the overview — where decisions wait, documents,
//! requests and messages, the account — for someone who has not finished it, until they
//! dismiss it (`POST account/tour/done`), which is remembered. Each step links only to a page
//! the person's role opens (the navigation's own rule); the account is always there.
//!
//! The overview shows it with `{% include "account/tour.html" %}` where its view has
//! `tour: Option<TourView>` from [`view`].

use axum::response::Response;
use portal_core::Permission;
use serde::Serialize;

use super::super::nav::holds_somewhere;
use super::super::signed::{PageForm, SignedPage};
use super::{NoFields, preferences, refuse_in_preview};
use crate::extract::ClientIp;

/// The tour for the overview.
#[derive(Debug, Serialize)]
pub(crate) struct TourView {
    steps: Vec<TourStep>,
}

/// One step: what it is about, and the page it leads to.
#[derive(Debug, Serialize)]
struct TourStep {
    title_message: &'static str,
    text_message: &'static str,
    /// The page, under the base.
    href: &'static str,
}

/// The tour, when it is due for the viewer: never in a "view as client" preview.
pub(crate) fn view(page: &SignedPage) -> Option<TourView> {
    if page.scope.is_read_only() || !preferences::tour_due(&page.user) {
        return None;
    }
    Some(TourView {
        steps: steps(|permission| holds_somewhere(&page.scope, permission)),
    })
}

/// The steps a viewer holding `holds` permissions gets.
fn steps(holds: impl Fn(Permission) -> bool) -> Vec<TourStep> {
    let mut steps = Vec::with_capacity(4);
    if holds(Permission::ViewApprovals) {
        steps.push(TourStep {
            title_message: "account-tour-decisions-title",
            text_message: "account-tour-decisions-text",
            href: "/approvals",
        });
    }
    if holds(Permission::ViewDocuments) {
        steps.push(TourStep {
            title_message: "account-tour-documents-title",
            text_message: "account-tour-documents-text",
            href: "/documents",
        });
    }
    if holds(Permission::ViewRequests) {
        steps.push(TourStep {
            title_message: "account-tour-requests-title",
            text_message: "account-tour-requests-text",
            href: "/requests",
        });
    } else if holds(Permission::ViewProjects) {
        steps.push(TourStep {
            title_message: "account-tour-messages-title",
            text_message: "account-tour-messages-text",
            href: "/messages",
        });
    }
    steps.push(TourStep {
        title_message: "account-tour-account-title",
        text_message: "account-tour-account-text",
        href: "/account",
    });
    steps
}

/// `POST account/tour/done`: the tour is not shown again.
pub(super) async fn done(ip: ClientIp, form: PageForm<NoFields>) -> Response {
    let PageForm { page, .. } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    match preferences::store_tour_done(&page, &ip.audit()).await {
        Ok(()) => page.redirect_with_notice("/", "notice-account-tour-done"),
        Err(failure) => page.fail(failure),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use minijinja::value::{Serde, Value};

    use super::super::super::catalogue::Catalogue;
    use super::super::super::locale::Locale;
    use super::super::super::templates::Templates;
    use super::*;

    #[test]
    fn the_partial_shows_the_steps_and_a_form_to_dismiss_it() {
        let templates = Templates::new(Arc::new(Catalogue::new().unwrap()), None).unwrap();
        let tour = TourView {
            steps: steps(|permission| permission != Permission::ViewRequests),
        };
        let context = Value::from(Serde(serde_json::json!({
            "locale": "de",
            "base": "/acme",
            "csrf_token": "t0ken",
            "page": { "tour": tour },
        })));
        let html = templates.render("account/tour.html", context).unwrap();
        assert!(html.contains("aria-labelledby=\"tour-heading\""), "{html}");
        assert!(html.contains(">Erste Schritte</h2>"), "{html}");
        assert!(html.contains("href=\"/acme/approvals\""), "{html}");
        assert!(html.contains("href=\"/acme/messages\""), "{html}");
        assert!(!html.contains("href=\"/acme/requests\""), "{html}");
        assert!(
            html.contains("action=\"/acme/account/tour/done\""),
            "{html}"
        );
        assert!(
            html.contains("name=\"csrf_token\" value=\"t0ken\""),
            "{html}"
        );
    }

    #[test]
    fn steps_follow_the_role_and_have_their_words() {
        let all = steps(|_| true);
        assert_eq!(
            all.iter().map(|step| step.href).collect::<Vec<_>>(),
            ["/approvals", "/documents", "/requests", "/account"]
        );
        let viewer = steps(|permission| permission == Permission::ViewProjects);
        assert_eq!(
            viewer.iter().map(|step| step.href).collect::<Vec<_>>(),
            ["/messages", "/account"]
        );
        assert_eq!(steps(|_| false).len(), 1);
        let catalogue = Catalogue::new().unwrap();
        let everything = all
            .iter()
            .chain(viewer.iter())
            .flat_map(|step| [step.title_message, step.text_message]);
        for id in everything {
            for locale in Locale::ALL {
                catalogue.text(locale, id, None).unwrap();
            }
        }
    }
}
