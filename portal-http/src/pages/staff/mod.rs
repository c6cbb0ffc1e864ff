//! The team's work pages: clients and contacts, the team, projects with publish toggles, the
//! approval queue, the requests inbox and the clients' adoption analytics. Every page is for
//! the team only — a contact or a client preview gets the branded 404 on every `staff/` path —
//! and every read and write goes through the stores with the page's scope, as the API's staff
//! routes do.

mod analytics;
mod approvals;
mod client;
mod client_export;
mod clients;
mod invites;
mod people;
mod project;
mod projects;
mod requests;
mod shared;

use axum::Router;
use axum::routing::{get, post};

use crate::state::PortalState;

/// This area's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/staff/clients", get(clients::list).post(clients::create))
        .route(
            "/staff/clients/{client}",
            get(client::show).post(client::update),
        )
        .route("/staff/clients/{client}/archive", post(client::archive))
        .route("/staff/clients/{client}/offboard", post(client::offboard))
        .route("/staff/clients/{client}/erase", post(client::erase))
        .route("/staff/clients/{client}/restore", post(client::restore))
        .route("/staff/clients/{client}/invitations", post(client::invite))
        .route("/staff/clients/{client}/export", get(client_export::export))
        .route(
            "/staff/clients/{client}/invitations/{invitation}/resend",
            post(client::resend_invitation),
        )
        .route(
            "/staff/clients/{client}/invitations/{invitation}/revoke",
            post(client::revoke_invitation),
        )
        .route(
            "/staff/clients/{client}/contacts/{membership}/role",
            post(client::change_role),
        )
        .route(
            "/staff/clients/{client}/contacts/{membership}/remove",
            post(client::remove_contact),
        )
        .route("/staff/people", get(people::show))
        .route("/staff/people/invitations", post(people::invite))
        .route(
            "/staff/people/invitations/{invitation}/resend",
            post(people::resend_invitation),
        )
        .route(
            "/staff/people/invitations/{invitation}/revoke",
            post(people::revoke_invitation),
        )
        .route("/staff/people/{membership}/role", post(people::change_role))
        .route(
            "/staff/people/{membership}/clients",
            post(people::assign_clients),
        )
        .route(
            "/staff/projects",
            get(projects::list).post(projects::create),
        )
        .route(
            "/staff/projects/{project}",
            get(project::show).post(project::edit),
        )
        .route(
            "/staff/projects/{project}/visibility",
            post(project::visibility),
        )
        .route(
            "/staff/projects/{project}/milestones",
            post(project::create::<project::NewMilestone>),
        )
        .route(
            "/staff/projects/{project}/updates",
            post(project::create::<project::UpdateFields>),
        )
        .route(
            "/staff/projects/{project}/decisions",
            post(project::create::<project::DecisionFields>),
        )
        .route(
            "/staff/projects/{project}/tasks",
            post(project::create::<project::TaskFields>),
        )
        .route(
            "/staff/milestones/{milestone}",
            post(project::edit_part::<project::Milestones>),
        )
        .route(
            "/staff/milestones/{milestone}/status",
            post(project::status::<project::Milestones>),
        )
        .route(
            "/staff/milestones/{milestone}/visibility",
            post(project::part_visibility::<project::Milestones>),
        )
        .route(
            "/staff/milestones/{milestone}/move",
            post(project::reorder_milestone),
        )
        .route(
            "/staff/milestones/{milestone}/deliverables",
            post(project::create_deliverable),
        )
        .route(
            "/staff/deliverables/{deliverable}",
            post(project::edit_part::<project::Deliverables>),
        )
        .route(
            "/staff/deliverables/{deliverable}/status",
            post(project::status::<project::Deliverables>),
        )
        .route(
            "/staff/deliverables/{deliverable}/visibility",
            post(project::part_visibility::<project::Deliverables>),
        )
        .route(
            "/staff/updates/{update}/visibility",
            post(project::part_visibility::<project::Updates>),
        )
        .route(
            "/staff/decisions/{decision}/visibility",
            post(project::part_visibility::<project::Decisions>),
        )
        .route(
            "/staff/tasks/{task}/status",
            post(project::status::<project::Tasks>),
        )
        .route(
            "/staff/tasks/{task}/visibility",
            post(project::part_visibility::<project::Tasks>),
        )
        .route(
            "/staff/approvals",
            get(approvals::show).post(approvals::request),
        )
        .route(
            "/staff/approvals/{approval}/cancel",
            post(approvals::cancel),
        )
        .route("/staff/requests", get(requests::inbox))
        .route("/staff/requests/{request}", get(requests::show))
        .route("/staff/requests/{request}/messages", post(requests::reply))
        .route("/staff/requests/{request}/status", post(requests::move_to))
        .route("/staff/analytics", get(analytics::overview))
        .route("/staff/analytics/{client}", get(analytics::client))
}

/// This area's templates: `(name, compiled-in source)`, by page family.
pub(crate) const TEMPLATES: &[&[(&str, &str)]] = &[&[
    (
        "staff/ui.html",
        include_str!("../../../templates/staff/ui.html"),
    ),
    (
        "staff/clients.html",
        include_str!("../../../templates/staff/clients.html"),
    ),
    (
        "staff/client.html",
        include_str!("../../../templates/staff/client.html"),
    ),
    (
        "staff/people.html",
        include_str!("../../../templates/staff/people.html"),
    ),
    (
        "staff/projects.html",
        include_str!("../../../templates/staff/projects.html"),
    ),
    (
        "staff/project.html",
        include_str!("../../../templates/staff/project.html"),
    ),
    (
        "staff/approvals.html",
        include_str!("../../../templates/staff/approvals.html"),
    ),
    (
        "staff/requests.html",
        include_str!("../../../templates/staff/requests.html"),
    ),
    (
        "staff/request.html",
        include_str!("../../../templates/staff/request.html"),
    ),
    (
        "staff/charts.html",
        include_str!("../../../templates/staff/charts.html"),
    ),
    (
        "staff/analytics.html",
        include_str!("../../../templates/staff/analytics.html"),
    ),
    (
        "staff/analytics_client.html",
        include_str!("../../../templates/staff/analytics_client.html"),
    ),
]];

#[cfg(test)]
mod tests {
    use super::super::catalogue::{Catalogue, CatalogueError};
    use super::super::locale::Locale;

    /// The sources of this area's code, to find the message ids it names.
    const SOURCES: &[(&str, &str)] = &[
        ("analytics/mod.rs", include_str!("analytics/mod.rs")),
        ("approvals.rs", include_str!("approvals.rs")),
        ("client.rs", include_str!("client.rs")),
        ("clients.rs", include_str!("clients.rs")),
        ("invites.rs", include_str!("invites.rs")),
        ("people.rs", include_str!("people.rs")),
        ("projects.rs", include_str!("projects.rs")),
        ("requests.rs", include_str!("requests.rs")),
        ("shared.rs", include_str!("shared.rs")),
        ("project/mod.rs", include_str!("project/mod.rs")),
        ("project/content.rs", include_str!("project/content.rs")),
        (
            "project/deliverables.rs",
            include_str!("project/deliverables.rs"),
        ),
        (
            "project/milestones.rs",
            include_str!("project/milestones.rs"),
        ),
    ];

    #[test]
    fn every_message_the_code_names_exists_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        let mut seen = 0;
        for (file, source) in SOURCES {
            for literal in source.split('"').skip(1).step_by(2) {
                let id = literal;
                let named = (id.starts_with("staff-") || id.starts_with("notice-staff-"))
                    && id
                        .bytes()
                        .all(|byte| byte.is_ascii_lowercase() || byte == b'-' || byte == b'_');
                if !named {
                    continue;
                }
                seen += 1;
                for locale in Locale::ALL {
                    assert!(
                        matches!(
                            catalogue.text(locale, id, None),
                            Ok(_) | Err(CatalogueError::Format { .. })
                        ),
                        "{file} names `{id}`, missing in {}",
                        locale.tag()
                    );
                }
            }
        }
        assert!(seen > 50, "only {seen} ids found");
    }
}
