//! Invoices, fed from the billing system: all of an invoice is finance data, so every read and
//! list also needs `view_financials`, and drafts are staff only. Every change writes an outbox row.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Invoice, InvoiceInput};
use portal_core::{
    ClientId, HttpsUrl, Invalid, InvoiceId, Permission, ProjectId, ResourceFacts, StateMachine,
    TenantId, TenantScope,
};
use serde_json::json;
use sqlx::QueryBuilder;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::chain::now;
use super::convert::{parsed_opt, state};
use super::visibility::{
    Seen, both_filters, empty_page, permitted, push_eq, push_page, push_rule, readable, seen_page,
    visibility_of,
};
use super::work_convert::money;
use super::work_rules::{
    EXTERNAL_ID_TAKEN, check_external_id, event, fixed, invalid, require_external_id, require_text,
};
use super::{backend, map_db_error};
use crate::rules::{self, ListRule, events};
use crate::traits::{InvoiceFilter, InvoiceStore, Upserted};
use crate::{Page, Paged, StoreError, StoreResult};

/// An invoice's effective visibility: issued (not a draft), of no project or of a shared one.
macro_rules! invoice_shared {
    () => {
        "i.status <> 'draft' AND (i.project_id IS NULL OR p.visibility = 'shared')"
    };
}

/// The columns of an invoice row with its effective visibility, from `i` joined to its project.
macro_rules! invoice_select {
    () => {
        concat!(
            "SELECT i.invoice_id, i.tenant_id, i.client_id, i.project_id, i.number, \
             i.amount_minor, i.currency, i.status, i.issued_on, i.due_on, i.payment_url, \
             i.internal_note, i.external_id, i.created_at, i.updated_at, (",
            invoice_shared!(),
            ") AS shared FROM portal_invoice i \
             LEFT JOIN portal_project p \
             ON p.tenant_id = i.tenant_id AND p.project_id = i.project_id"
        )
    };
}

const SHARED: &str = invoice_shared!();

const SELECT_ONE: &str = concat!(
    invoice_select!(),
    " WHERE i.invoice_id = $1 AND i.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_invoice (invoice_id, tenant_id, client_id, project_id, \
    number, amount_minor, currency, status, issued_on, due_on, payment_url, internal_note, \
    external_id, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

const UPDATE: &str = "UPDATE portal_invoice SET project_id = $1, number = $2, amount_minor = $3, \
    currency = $4, status = $5, issued_on = $6, due_on = $7, payment_url = $8, internal_note = $9, \
    external_id = $10, updated_at = $11 WHERE invoice_id = $12 AND tenant_id = $13";

const BY_EXTERNAL_ID: &str =
    "SELECT invoice_id FROM portal_invoice WHERE tenant_id = $1 AND external_id = $2";

/// A stored invoice with its effective visibility.
#[derive(sqlx::FromRow)]
struct InvoiceRow {
    invoice_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Option<Uuid>,
    number: String,
    amount_minor: i64,
    currency: String,
    status: String,
    issued_on: Option<Date>,
    due_on: Option<Date>,
    payment_url: Option<String>,
    internal_note: Option<String>,
    external_id: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    shared: bool,
}

impl InvoiceRow {
    fn into_seen(self) -> StoreResult<Seen<Invoice>> {
        let invoice = Invoice {
            id: InvoiceId::from_uuid(self.invoice_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: self.project_id.map(ProjectId::from_uuid),
            number: self.number,
            amount: money(self.amount_minor, &self.currency)?,
            status: state("status", &self.status)?,
            issued_on: self.issued_on,
            due_on: self.due_on,
            payment_url: parsed_opt::<HttpsUrl>("payment_url", self.payment_url.as_deref())?,
            internal_note: self.internal_note,
            external_id: self.external_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        let (tenant, client) = (invoice.tenant, invoice.client);
        Ok(Seen::new(invoice, tenant, client, self.shared).finance())
    }
}

/// The invoice's outbox payload: ids and status only, never amounts.
fn payload(invoice: &Invoice) -> serde_json::Value {
    json!({
        "invoice": invoice.id,
        "client": invoice.client,
        "project": invoice.project,
        "status": invoice.status,
    })
}

for_each_backend! {
    async fn fetch(
        tx: &mut Conn,
        tenant: TenantId,
        id: InvoiceId,
    ) -> StoreResult<Option<Seen<Invoice>>> {
        Store::fetch_seen(tx, SELECT_ONE, *id.as_uuid(), tenant, InvoiceRow::into_seen).await
    }

    /// Checks an invoice's input: its client and project exist in the scope's tenant, the
    /// project is the client's, the number is not blank. Returns whether the project (if any) is
    /// shared, for the invoice's effective visibility.
    async fn check_input(
        tx: &mut Conn,
        tenant: TenantId,
        input: &InvoiceInput,
    ) -> StoreResult<bool> {
        if !Store::client_of_tenant(tx, tenant, input.client).await? {
            return Err(StoreError::NotFound);
        }
        let mut project_shared = true;
        if let Some(project) = input.project {
            let project = Store::fetch_project(tx, tenant, project)
                .await?
                .ok_or(StoreError::NotFound)?
                .record;
            if project.client != input.client {
                return Err(invalid(
                    "project",
                    Invalid::Malformed("belongs to another client"),
                ));
            }
            project_shared = project.visibility.is_shared();
        }
        require_text("number", &input.number)?;
        check_external_id(input.external_id.as_deref())?;
        Ok(project_shared)
    }

    /// Writes the audit event and outbox row of a created or updated invoice.
    async fn changed_in(
        tx: &mut Conn,
        scope: &TenantScope,
        invoice: &Invoice,
        change: &str,
        audit: &AuditContext,
    ) -> StoreResult<()> {
        let tenant = scope.tenant_id();
        let details = json!({ "change": change, "status": invoice.status });
        let event = event(
            scope,
            events::INVOICE_CHANGED,
            "invoice",
            invoice.id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Store::enqueue_in(tx, tenant, events::INVOICE_CHANGED, &payload(invoice)).await?;
        Ok(())
    }

    async fn create_in(
        tx: &mut Conn,
        scope: &TenantScope,
        input: InvoiceInput,
        audit: &AuditContext,
    ) -> StoreResult<Invoice> {
        let tenant = scope.tenant_id();
        let project_shared = check_input(tx, tenant, &input).await?;
        let invoice = rules::new_invoice(tenant, input, now());
        let shared = invoice.visibility().is_shared() && project_shared;
        let facts =
            ResourceFacts::of_client(tenant, invoice.client, visibility_of(shared)).finance();
        rules::require(scope, Permission::ManageInvoices, &facts)?;
        sqlx::query(INSERT)
            .bind(*invoice.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(*invoice.client.as_uuid())
            .bind(invoice.project.map(|project| *project.as_uuid()))
            .bind(invoice.number.as_str())
            .bind(invoice.amount.amount_minor)
            .bind(invoice.amount.currency.code())
            .bind(invoice.status.name())
            .bind(invoice.issued_on)
            .bind(invoice.due_on)
            .bind(invoice.payment_url.as_ref().map(HttpsUrl::as_str))
            .bind(invoice.internal_note.as_deref())
            .bind(invoice.external_id.as_deref())
            .bind(invoice.created_at)
            .bind(invoice.updated_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
        changed_in(tx, scope, &invoice, "created", audit).await?;
        Ok(invoice)
    }

    async fn update_in(
        tx: &mut Conn,
        scope: &TenantScope,
        id: InvoiceId,
        input: InvoiceInput,
        audit: &AuditContext,
    ) -> StoreResult<Invoice> {
        let tenant = scope.tenant_id();
        let current = permitted(
            scope,
            Permission::ManageInvoices,
            fetch(tx, tenant, id).await?,
        )?
        .record;
        if input.client != current.client {
            return Err(fixed("client"));
        }
        check_input(tx, tenant, &input).await?;
        let Some(next) = rules::edited_invoice(&current, input, now())? else {
            return Ok(current);
        };
        sqlx::query(UPDATE)
            .bind(next.project.map(|project| *project.as_uuid()))
            .bind(next.number.as_str())
            .bind(next.amount.amount_minor)
            .bind(next.amount.currency.code())
            .bind(next.status.name())
            .bind(next.issued_on)
            .bind(next.due_on)
            .bind(next.payment_url.as_ref().map(HttpsUrl::as_str))
            .bind(next.internal_note.as_deref())
            .bind(next.external_id.as_deref())
            .bind(next.updated_at)
            .bind(*id.as_uuid())
            .bind(*tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
        changed_in(tx, scope, &next, "updated", audit).await?;
        Ok(next)
    }

    #[async_trait]
    impl InvoiceStore for Store {
        async fn create_invoice(
            &self,
            scope: &TenantScope,
            invoice: InvoiceInput,
            audit: &AuditContext,
        ) -> StoreResult<Invoice> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let invoice = create_in(&mut tx, scope, invoice, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(invoice)
        }

        async fn invoice(
            &self,
            scope: &TenantScope,
            id: InvoiceId,
        ) -> StoreResult<Option<Invoice>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = fetch(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewInvoices, row)
        }

        async fn list_invoices(
            &self,
            scope: &TenantScope,
            filter: InvoiceFilter,
            page: Page,
        ) -> StoreResult<Paged<Invoice>> {
            // Money rows: only clients where the scope also holds view_financials.
            let mut rule = ListRule::new(scope, Permission::ViewInvoices);
            rule.clients =
                both_filters(rule.clients, scope.clients_with(Permission::ViewFinancials));
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let tenant = scope.tenant_id();
            let mut query = QueryBuilder::<Db>::new(invoice_select!());
            query
                .push(" WHERE i.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            push_rule(&mut query, &rule, "i.client_id", SHARED);
            push_eq(
                &mut query,
                "i.client_id",
                filter.client.map(|client| *client.as_uuid()),
            );
            push_eq(
                &mut query,
                "i.status",
                filter.status.map(StateMachine::name),
            );
            push_page(&mut query, "i.invoice_id", page);
            let tx = self.read(tenant).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, InvoiceRow::into_seen, |invoice| {
                *invoice.id.as_uuid()
            })
        }

        async fn update_invoice(
            &self,
            scope: &TenantScope,
            id: InvoiceId,
            invoice: InvoiceInput,
            audit: &AuditContext,
        ) -> StoreResult<Invoice> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let invoice = update_in(&mut tx, scope, id, invoice, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(invoice)
        }

        async fn upsert_invoice(
            &self,
            scope: &TenantScope,
            invoice: InvoiceInput,
            audit: &AuditContext,
        ) -> StoreResult<Upserted<Invoice>> {
            let tenant = scope.tenant_id();
            let external_id = require_external_id(invoice.external_id.as_deref())?.to_owned();
            let mut tx = self.write(tenant).await?;
            let existing =
                Store::by_external_id_in(&mut tx, BY_EXTERNAL_ID, tenant, &external_id).await?;
            let upserted = match existing {
                Some(id) => Upserted {
                    record: update_in(&mut tx, scope, InvoiceId::from_uuid(id), invoice, audit)
                        .await?,
                    created: false,
                },
                None => Upserted {
                    record: create_in(&mut tx, scope, invoice, audit).await?,
                    created: true,
                },
            };
            tx.commit().await.map_err(backend)?;
            Ok(upserted)
        }
    }
}
