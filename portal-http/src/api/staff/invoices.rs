//! Entering and editing invoices by hand (`manage_invoices`), for tenants without a billing
//! system feeding them. The team's view carries the internal note; the client's routes never do.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::model::{Invoice, InvoiceInput};
use portal_core::state::InvoiceStatus;
use portal_core::{ClientId, InvoiceId, ProjectId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::{MoneyBody, StaffCaller, bounded, date, https_url, non_blank, nullable, patched};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientIp};
use crate::state::PortalState;

/// The most characters of an invoice number.
const MAX_NUMBER_CHARS: usize = 100;
/// The most characters of an internal note.
const MAX_NOTE_CHARS: usize = 5_000;

/// An invoice as the team sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffInvoiceView {
    /// The invoice's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: InvoiceId,
    /// The client billed.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// The project, if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub project_id: Option<ProjectId>,
    /// The number as printed.
    pub number: String,
    /// The total.
    pub amount: MoneyBody,
    /// `draft`, `open`, `paid` or `void`.
    #[schema(value_type = String)]
    pub status: InvoiceStatus,
    /// The day it was issued.
    #[schema(value_type = Option<String>, format = Date)]
    pub issued_on: Option<Date>,
    /// The day it is due.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// Where the client pays it.
    pub payment_url: Option<String>,
    /// The team's note; never shown to the client.
    pub internal_note: Option<String>,
    /// The billing system's id.
    pub external_id: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Invoice> for StaffInvoiceView {
    fn from(invoice: Invoice) -> Self {
        Self {
            id: invoice.id,
            client_id: invoice.client,
            project_id: invoice.project,
            number: invoice.number,
            amount: invoice.amount.into(),
            status: invoice.status,
            issued_on: invoice.issued_on,
            due_on: invoice.due_on,
            payment_url: invoice.payment_url.map(|url| url.into_string()),
            internal_note: invoice.internal_note,
            external_id: invoice.external_id,
            created_at: invoice.created_at,
            updated_at: invoice.updated_at,
        }
    }
}

/// A new invoice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvoiceBody {
    /// The client billed.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// The project, if any (of the same client).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub project_id: Option<ProjectId>,
    /// The number as printed.
    pub number: String,
    /// The total.
    pub amount: MoneyBody,
    /// `draft` (default) or `open`.
    #[schema(value_type = Option<String>)]
    pub status: Option<InvoiceStatus>,
    /// The day it was issued, `YYYY-MM-DD`.
    pub issued_on: Option<String>,
    /// The day it is due, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Where the client pays it (https).
    pub payment_url: Option<String>,
    /// A note for the team only.
    pub internal_note: Option<String>,
    /// The billing system's id.
    pub external_id: Option<String>,
}

/// Changes to an invoice; absent fields stay as they are, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoicePatch {
    /// A new number.
    pub number: Option<String>,
    /// A new total.
    pub amount: Option<MoneyBody>,
    /// A new status: `draft` → `open` → `paid` or `void`.
    #[schema(value_type = Option<String>)]
    pub status: Option<InvoiceStatus>,
    /// A new issue day.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub issued_on: Option<Option<String>>,
    /// A new due day.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    /// A new payment link.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub payment_url: Option<Option<String>>,
    /// A new internal note.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub internal_note: Option<Option<String>>,
    /// A new billing-system id.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

fn number(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid(
            "number",
            "invalid number: must not be empty",
        ));
    }
    bounded("number", text, MAX_NUMBER_CHARS)?;
    Ok(text.to_owned())
}

fn day(field: &'static str, text: Option<String>) -> Result<Option<Date>, ApiError> {
    non_blank(text).map(|text| date(field, &text)).transpose()
}

fn payment_url(text: Option<String>) -> Result<Option<portal_core::HttpsUrl>, ApiError> {
    non_blank(text)
        .map(|url| https_url("payment_url", &url))
        .transpose()
}

fn note(text: Option<String>) -> Result<Option<String>, ApiError> {
    let text = non_blank(text);
    if let Some(text) = &text {
        bounded("internal_note", text, MAX_NOTE_CHARS)?;
    }
    Ok(text)
}

/// Creates an invoice (`manage_invoices`).
#[utoipa::path(post, path = "/invoices", tag = "staff", request_body = NewInvoiceBody,
    responses(
        (status = 201, body = StaffInvoiceView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `manage_invoices`", body = ErrorBody),
        (status = 404, description = "No such client or project the caller reaches", body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_invoice(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewInvoiceBody>,
) -> Result<(StatusCode, Json<StaffInvoiceView>), ApiError> {
    let input = InvoiceInput {
        client: body.client_id,
        project: body.project_id,
        number: number(&body.number)?,
        amount: body.amount.parse("amount")?,
        status: body.status.unwrap_or_default(),
        issued_on: day("issued_on", body.issued_on)?,
        due_on: day("due_on", body.due_on)?,
        payment_url: payment_url(body.payment_url)?,
        internal_note: note(body.internal_note)?,
        external_id: non_blank(body.external_id),
    };
    let invoice = state
        .stores()
        .invoices
        .create_invoice(&caller.scope, input, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(invoice.into())))
}

/// Edits an invoice (`manage_invoices`); a status change must be a legal move.
#[utoipa::path(patch, path = "/invoices/{invoice_id}", tag = "staff", request_body = InvoicePatch,
    params(("invoice_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffInvoiceView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not a legal status move", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_invoice(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<InvoiceId>,
    ApiJson(body): ApiJson<InvoicePatch>,
) -> Result<Json<StaffInvoiceView>, ApiError> {
    let stores = state.stores();
    let current = stores
        .invoices
        .invoice(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let input = InvoiceInput {
        client: current.client,
        project: current.project,
        number: patched(body.number, current.number, |text| number(&text))?,
        amount: patched(body.amount, current.amount, |amount| amount.parse("amount"))?,
        status: body.status.unwrap_or(current.status),
        issued_on: patched(body.issued_on, current.issued_on, |text| {
            day("issued_on", text)
        })?,
        due_on: patched(body.due_on, current.due_on, |text| day("due_on", text))?,
        payment_url: patched(body.payment_url, current.payment_url, payment_url)?,
        internal_note: patched(body.internal_note, current.internal_note, note)?,
        external_id: body.external_id.map_or(current.external_id, non_blank),
    };
    let invoice = stores
        .invoices
        .update_invoice(&caller.scope, id, input, &ip.audit())
        .await?;
    Ok(Json(invoice.into()))
}
