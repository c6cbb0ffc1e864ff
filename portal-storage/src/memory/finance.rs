//! Invoices, fed from the billing system: all of an invoice is finance data.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Client, Invoice, InvoiceInput, Project};
use portal_core::{Invalid, InvoiceId, Permission, TenantScope};
use serde_json::json;
use time::OffsetDateTime;

use super::view::Stored;
use super::{MemoryStore, State, invalid, now, object, require_external_id, require_text};
use crate::rules::{self, events, fixed};
use crate::traits::{InvoiceFilter, InvoiceStore, Upserted};
use crate::{Page, Paged, StoreResult};

impl State {
    /// Checks an invoice's input: its client and project exist in the scope's tenant, the
    /// project is the client's, the number is not blank, the external id is free.
    fn check_invoice(
        &self,
        scope: &TenantScope,
        input: &InvoiceInput,
        except: Option<InvoiceId>,
    ) -> StoreResult<()> {
        self.found::<Client>(scope, input.client)?;
        if let Some(project) = input.project {
            let project = self.found::<Project>(scope, project)?;
            if project.client != input.client {
                return Err(invalid(
                    "project",
                    Invalid::Malformed("belongs to another client"),
                ));
            }
        }
        require_text("number", &input.number)?;
        self.ensure_external_id_free::<Invoice>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            except,
        )
    }

    /// Stores an invoice with its audit event and outbox row.
    fn invoice_changed(
        &mut self,
        scope: &TenantScope,
        invoice: Invoice,
        change: &str,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> Invoice {
        self.put(invoice.clone());
        self.audit(
            scope,
            events::INVOICE_CHANGED,
            object("invoice", invoice.id.as_uuid()),
            json!({ "change": change, "status": invoice.status }),
            context,
            now,
        );
        self.enqueue(
            scope.tenant_id(),
            events::INVOICE_CHANGED,
            json!({
                "invoice": invoice.id,
                "client": invoice.client,
                "project": invoice.project,
                "status": invoice.status,
            }),
            now,
        );
        invoice
    }

    fn create_invoice(
        &mut self,
        scope: &TenantScope,
        input: InvoiceInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Invoice> {
        self.check_invoice(scope, &input, None)?;
        let invoice = rules::new_invoice(scope.tenant_id(), input, now);
        rules::require(scope, Permission::ManageInvoices, &invoice.facts_in(self))?;
        Ok(self.invoice_changed(scope, invoice, "created", context, now))
    }

    fn update_invoice(
        &mut self,
        scope: &TenantScope,
        id: InvoiceId,
        input: InvoiceInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Invoice> {
        let current = self.load::<Invoice>(scope, Permission::ManageInvoices, id)?;
        if input.client != current.client {
            return Err(fixed("client"));
        }
        self.check_invoice(scope, &input, Some(id))?;
        let Some(next) = rules::edited_invoice(&current, input, now)? else {
            return Ok(current);
        };
        Ok(self.invoice_changed(scope, next, "updated", context, now))
    }

    fn upsert_invoice(
        &mut self,
        scope: &TenantScope,
        input: InvoiceInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Upserted<Invoice>> {
        let external_id = require_external_id(input.external_id.as_deref())?;
        match self
            .by_external_id::<Invoice>(scope.tenant_id(), external_id)
            .map(|invoice| invoice.id)
        {
            Some(id) => Ok(Upserted {
                record: self.update_invoice(scope, id, input, context, now)?,
                created: false,
            }),
            None => Ok(Upserted {
                record: self.create_invoice(scope, input, context, now)?,
                created: true,
            }),
        }
    }
}

#[async_trait]
impl InvoiceStore for MemoryStore {
    async fn create_invoice(
        &self,
        scope: &TenantScope,
        invoice: InvoiceInput,
        audit: &AuditContext,
    ) -> StoreResult<Invoice> {
        self.with_mut(|state| state.create_invoice(scope, invoice, audit, now()))
    }

    async fn invoice(&self, scope: &TenantScope, id: InvoiceId) -> StoreResult<Option<Invoice>> {
        self.with(|state| state.read::<Invoice>(scope, Permission::ViewInvoices, id))
    }

    async fn list_invoices(
        &self,
        scope: &TenantScope,
        filter: InvoiceFilter,
        page: Page,
    ) -> StoreResult<Paged<Invoice>> {
        Ok(self.with(|state| {
            state.list::<Invoice>(scope, Permission::ViewInvoices, page, |invoice| {
                filter.client.is_none_or(|client| invoice.client == client)
                    && filter.status.is_none_or(|status| invoice.status == status)
            })
        }))
    }

    async fn update_invoice(
        &self,
        scope: &TenantScope,
        id: InvoiceId,
        invoice: InvoiceInput,
        audit: &AuditContext,
    ) -> StoreResult<Invoice> {
        self.with_mut(|state| state.update_invoice(scope, id, invoice, audit, now()))
    }

    async fn upsert_invoice(
        &self,
        scope: &TenantScope,
        invoice: InvoiceInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Invoice>> {
        self.with_mut(|state| state.upsert_invoice(scope, invoice, audit, now()))
    }
}

#[cfg(test)]
mod tests {
    use portal_core::model::InvoiceInput;
    use portal_core::state::InvoiceStatus;
    use portal_core::{Currency, DomainError, Money};

    use super::super::fixture::{World, ctx};
    use crate::traits::{InvoiceFilter, InvoiceStore};
    use crate::{Page, StoreError};

    fn input(world: &World, status: InvoiceStatus) -> InvoiceInput {
        InvoiceInput {
            client: world.client.id,
            project: None,
            number: "INV-1".to_owned(),
            amount: Money::new(12_345, Currency::parse("EUR").unwrap()),
            status,
            issued_on: None,
            due_on: None,
            payment_url: None,
            internal_note: Some("Chase in May".to_owned()),
            external_id: Some("bill-1".to_owned()),
        }
    }

    #[tokio::test]
    async fn invoices_need_the_finance_permission_and_legal_moves() {
        let world = World::new("money").await;
        let store = &world.store;
        let draft = store
            .upsert_invoice(&world.owner, input(&world, InvoiceStatus::Draft), &ctx())
            .await
            .unwrap()
            .record;
        // The approver sees the client's work but has no view_invoices.
        assert!(matches!(
            store.invoice(&world.contact, draft.id).await,
            Ok(None) | Err(StoreError::Forbidden(_))
        ));
        let issued = store
            .upsert_invoice(&world.owner, input(&world, InvoiceStatus::Open), &ctx())
            .await
            .unwrap();
        assert!(!issued.created);
        assert!(matches!(
            store.invoice(&world.contact, draft.id).await,
            Err(StoreError::Forbidden(_))
        ));
        let listed = store
            .list_invoices(&world.contact, InvoiceFilter::default(), Page::default())
            .await
            .unwrap();
        assert!(listed.items.is_empty());
        let err = store
            .update_invoice(
                &world.owner,
                draft.id,
                input(&world, InvoiceStatus::Draft),
                &ctx(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(DomainError::InvalidTransition(_))),
            "{err}"
        );
    }
}
