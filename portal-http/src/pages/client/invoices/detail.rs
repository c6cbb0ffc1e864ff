//! `GET invoices/{id}`: one invoice — number, state, amount, issue and due day, its project and
//! the "Pay" link for those who may pay. The read model has no line items: the billing system
//! keeps those. Another client's or tenant's invoice, a draft, an id that is not one, and any
//! invoice for a role without `view_invoices` in its client are the branded 404. (The API
//! answers 403 to the last; the page's 403 is the refused-form page, and an invoice page the
//! role cannot have is simply not there, like the list and the link.)

use axum::extract::Path;
use axum::response::Response;
use portal_core::{InvoiceId, Permission};
use portal_storage::StoreError;
use serde::Serialize;

use super::row::InvoiceRow;
use crate::api::client_views::holds;
use crate::api::invoices::{InvoiceView, today};
use crate::pages::client::messages::subjects::project_name;
use crate::pages::nav::holds_somewhere;
use crate::pages::page::PageError;
use crate::pages::signed::{Failure, SignedPage};

/// `GET invoices/{id}`.
pub(crate) async fn show(page: SignedPage, Path(id): Path<String>) -> Response {
    match invoice(&page, &id).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The page's data.
#[derive(Debug, Serialize)]
struct InvoicePageView {
    invoice: InvoiceRow,
    project: Option<String>,
}

async fn invoice(page: &SignedPage, id: &str) -> Result<Response, Failure> {
    if !holds_somewhere(&page.scope, Permission::ViewInvoices) {
        return Err(PageError::NotFound.into());
    }
    let id = InvoiceId::parse(id).map_err(|_| PageError::NotFound)?;
    let invoice = match page.state.stores().invoices.invoice(&page.scope, id).await {
        Ok(Some(invoice)) => invoice,
        Ok(None) | Err(StoreError::NotFound | StoreError::Forbidden(_)) => {
            return Err(PageError::NotFound.into());
        }
        Err(error) => return Err(error.into()),
    };
    let project = match invoice.project {
        Some(project) => project_name(&page.state, &page.scope, project).await?,
        None => None,
    };
    let may_pay = holds(&page.scope, invoice.client, Permission::PayInvoices);
    let view = InvoiceView::of(invoice, &page.scope, today());
    let view = InvoicePageView {
        invoice: InvoiceRow::new(&page.formatter(), &page.page.base, view, may_pay)?,
        project,
    };
    Ok(page.render("client/invoice.html", view))
}
