//! `GET invoices`: the invoices the viewer may see (`InvoiceStore::list_invoices` with the
//! page's scope, like `GET /invoices`), newest first.

use axum::extract::RawQuery;
use axum::response::Response;
use portal_core::Permission;
use portal_storage::InvoiceFilter;
use serde::Serialize;

use super::row::InvoiceRow;
use crate::api::client_views::holds;
use crate::api::invoices::{InvoiceView, today};
use crate::pages::client::messages::listing::Listing;
use crate::pages::nav::holds_somewhere;
use crate::pages::page::PageError;
use crate::pages::signed::{Failure, SignedPage};

/// How many invoices a page lists; older ones are a link away.
const INVOICES_PER_PAGE: u32 = 50;

/// `GET invoices`.
pub(crate) async fn show(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    match list(&page, query.as_deref()).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The page's data.
#[derive(Debug, Serialize)]
struct InvoicesView {
    invoices: Vec<InvoiceRow>,
    /// The invoices after these, if any.
    older_url: Option<String>,
    /// The newest invoices, when this page shows older ones.
    newest_url: Option<String>,
}

async fn list(page: &SignedPage, query: Option<&str>) -> Result<Response, Failure> {
    // The API lists nothing for these roles; the page is not there for them at all, like the
    // link in the navigation.
    if !holds_somewhere(&page.scope, Permission::ViewInvoices) {
        return Err(PageError::NotFound.into());
    }
    let listing = Listing::parse(query, INVOICES_PER_PAGE)?;
    let paged = page
        .state
        .stores()
        .invoices
        .list_invoices(&page.scope, InvoiceFilter::default(), listing.page)
        .await?;
    let formatter = page.formatter();
    let base = &page.page.base;
    let today = today();
    let mut invoices = Vec::with_capacity(paged.items.len());
    for invoice in paged.items {
        let may_pay = holds(&page.scope, invoice.client, Permission::PayInvoices);
        let view = InvoiceView::of(invoice, &page.scope, today);
        invoices.push(InvoiceRow::new(&formatter, base, view, may_pay)?);
    }
    let view = InvoicesView {
        invoices,
        older_url: paged
            .next
            .map(|cursor| format!("{base}/invoices?cursor={cursor}")),
        newest_url: listing.is_continued().then(|| format!("{base}/invoices")),
    };
    Ok(page.render("client/invoices.html", view))
}
