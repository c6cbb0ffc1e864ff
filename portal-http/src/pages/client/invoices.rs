//! The invoices, for roles that may see them (`view_invoices`, the API's rule): `GET invoices`
//! lists them with number, issue and due day (overdue marked), amount and status, and a "Pay"
//! link for roles with `pay_invoices`; `GET invoices/{id}` shows one. Read with the page's scope
//! and shown through the API's own [`InvoiceView`](crate::api::invoices::InvoiceView), so the
//! team's note and the billing system's id never reach a contact and the payment link only
//! those who may pay. A role without invoices has no link to them and gets the branded 404.

mod detail;
mod list;
mod row;

use axum::Router;
use axum::routing::get;

use crate::state::PortalState;

/// This family's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/invoices", get(list::show))
        .route("/invoices/{id}", get(detail::show))
}

/// This family's templates: `(name, compiled-in source)`.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "client/invoices.html",
        include_str!("../../../templates/client/invoices.html"),
    ),
    (
        "client/invoice.html",
        include_str!("../../../templates/client/invoice.html"),
    ),
];
