//! `/invoices`: the read model fed from the billing system, for roles that see invoices and
//! money (`view_invoices` and `view_financials`). The team's note never reaches a contact
//! (SEC-28).

use axum::Json;
use axum::extract::State;
use portal_core::model::Invoice;
use portal_core::state::{InvoiceState, InvoiceStatus};
use portal_core::{ClientId, InvoiceId, Permission, ProjectId, TenantScope};
use portal_storage::InvoiceFilter;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

use super::client_views::{MoneyView, holds, parse_id, staff_fields};
use super::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::state::PortalState;

/// An invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceView {
    /// The invoice's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: InvoiceId,
    /// The client billed.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// The project, if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub project_id: Option<ProjectId>,
    /// The invoice number as the billing system prints it.
    pub number: String,
    /// The total.
    pub amount: MoneyView,
    /// The stored status: `draft` (staff only), `open`, `paid` or `void`.
    #[schema(value_type = String, example = "open")]
    pub status: InvoiceStatus,
    /// The status as of today: an open invoice past its due day is `overdue`.
    #[schema(value_type = String, example = "overdue")]
    pub state: InvoiceState,
    /// The day it was issued.
    #[schema(value_type = Option<String>, format = Date)]
    pub issued_on: Option<Date>,
    /// The day it is due.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// Where to pay it: for the team, and for contacts who may pay invoices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_url: Option<String>,
    /// The team's note; staff only, never sent to a contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// The billing system's id; staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl InvoiceView {
    /// The caller's view of an invoice, with its state on `today`.
    #[must_use]
    pub fn of(invoice: Invoice, scope: &TenantScope, today: Date) -> Self {
        let may_pay = staff_fields(scope) || holds(scope, invoice.client, Permission::PayInvoices);
        Self {
            id: invoice.id,
            client_id: invoice.client,
            project_id: invoice.project,
            number: invoice.number,
            amount: invoice.amount.into(),
            status: invoice.status,
            state: invoice.status.state_on(invoice.due_on, today),
            issued_on: invoice.issued_on,
            due_on: invoice.due_on,
            payment_url: invoice
                .payment_url
                .filter(|_| may_pay)
                .map(|url| url.as_str().to_owned()),
            internal_note: invoice.internal_note.filter(|_| scope.sees_internal()),
            external_id: invoice.external_id.filter(|_| staff_fields(scope)),
            created_at: invoice.created_at,
            updated_at: invoice.updated_at,
        }
    }
}

/// Today, for overdue invoices.
pub(crate) fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// Which invoices to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    /// Only this client's.
    pub client_id: Option<String>,
    /// Only in this stored status (`draft`, `open`, `paid`, `void`).
    #[param(value_type = Option<String>)]
    pub status: Option<InvoiceStatus>,
}

/// The invoices the caller may see, newest first; empty for roles without the finance
/// permissions.
#[utoipa::path(get, path = "/invoices", tag = "finance",
    params(PageQuery, InvoiceQuery),
    responses(
        (status = 200, body = PageOf<InvoiceView>),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A malformed filter, limit or cursor", body = ErrorBody),
    ))]
pub async fn list_invoices(
    State(state): State<PortalState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<InvoiceQuery>,
) -> Result<Json<PageOf<InvoiceView>>, ApiError> {
    let filter = InvoiceFilter {
        client: parse_id("client_id", query.client_id.as_deref())?,
        status: query.status,
    };
    let paged = state
        .stores()
        .invoices
        .list_invoices(&caller.scope, filter, paging.page()?)
        .await?;
    let today = today();
    Ok(Json(PageOf::map(paged, |invoice| {
        InvoiceView::of(invoice, &caller.scope, today)
    })))
}

/// One invoice, with its payment link for those who may pay it.
#[utoipa::path(get, path = "/invoices/{invoice_id}", tag = "finance",
    params(("invoice_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = InvoiceView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not see invoices or money", body = ErrorBody),
        (status = 404, description = "No such invoice the caller may see", body = ErrorBody),
    ))]
pub async fn get_invoice(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(id): ApiPath<InvoiceId>,
) -> Result<Json<InvoiceView>, ApiError> {
    let invoice = state
        .stores()
        .invoices
        .invoice(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(InvoiceView::of(invoice, &caller.scope, today())))
}
