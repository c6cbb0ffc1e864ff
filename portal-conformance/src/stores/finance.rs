use portal_core::model::InvoiceInput;
use portal_core::state::InvoiceStatus;
use portal_core::{BuiltinRole, ClientId, Currency, DomainError, Money};
use portal_storage::{InvoiceFilter, Page, StoreError};

use crate::Harness;
use crate::stores::fixtures::{client, ctx, member, tenant};

fn invoice(client: ClientId, number: &str, status: InvoiceStatus) -> InvoiceInput {
    InvoiceInput {
        client,
        project: None,
        number: number.into(),
        amount: Money::new(125_000, Currency::parse("EUR").unwrap()),
        status,
        issued_on: None,
        due_on: None,
        payment_url: None,
        internal_note: Some("gave a 10% discount".into()),
        external_id: Some(format!("billing-{number}")),
    }
}

pub async fn invoices_are_for_finance_roles(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let client = client(stores, &admin, "Client").await;
    let (_, finance) = member(stores, acme.id, BuiltinRole::Finance, &[client]).await;
    let (_, viewer) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let (_, staff_member) = member(stores, acme.id, BuiltinRole::Member, &[client]).await;
    let open = stores
        .invoices
        .create_invoice(
            &admin,
            invoice(client, "2026-001", InvoiceStatus::Open),
            &ctx(),
        )
        .await
        .unwrap();
    let draft = stores
        .invoices
        .create_invoice(
            &admin,
            invoice(client, "2026-002", InvoiceStatus::Draft),
            &ctx(),
        )
        .await
        .unwrap();
    let page = Page::first(50).unwrap();
    let seen = stores
        .invoices
        .list_invoices(&finance, InvoiceFilter::default(), page)
        .await
        .unwrap();
    assert_eq!(
        seen.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![open.id],
        "drafts stay internal"
    );
    assert!(
        stores
            .invoices
            .invoice(&finance, draft.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        stores
            .invoices
            .list_invoices(&viewer, InvoiceFilter::default(), page)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let viewer_get = stores.invoices.invoice(&viewer, open.id).await;
    assert!(
        matches!(viewer_get, Ok(None) | Err(StoreError::Forbidden(_))),
        "{viewer_get:?}"
    );
    assert!(
        stores
            .invoices
            .list_invoices(&staff_member, InvoiceFilter::default(), page)
            .await
            .unwrap()
            .items
            .is_empty(),
        "staff members without view_invoices see no invoices"
    );
    let upserted = stores
        .invoices
        .upsert_invoice(
            &admin,
            invoice(client, "2026-003", InvoiceStatus::Open),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(upserted.created, "another external id is another invoice");
    let again = stores
        .invoices
        .upsert_invoice(
            &admin,
            invoice(client, "2026-003", InvoiceStatus::Open),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.record, upserted.record);
    let created_earlier = stores
        .invoices
        .upsert_invoice(
            &admin,
            invoice(client, "2026-001", InvoiceStatus::Open),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(
        !created_earlier.created,
        "an invoice created with an external id is found by it"
    );
    assert_eq!(created_earlier.record.id, open.id);
    let by_finance = stores
        .invoices
        .create_invoice(&finance, invoice(client, "x", InvoiceStatus::Open), &ctx())
        .await;
    assert!(
        matches!(by_finance, Err(StoreError::Forbidden(_))),
        "{by_finance:?}"
    );
}

pub async fn invoice_moves_are_checked(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let client = client(stores, &admin, "Client").await;
    let draft = stores
        .invoices
        .create_invoice(&admin, invoice(client, "7", InvoiceStatus::Draft), &ctx())
        .await
        .unwrap();
    let paid_from_draft = stores
        .invoices
        .update_invoice(
            &admin,
            draft.id,
            invoice(client, "7", InvoiceStatus::Paid),
            &ctx(),
        )
        .await;
    assert!(
        matches!(
            paid_from_draft,
            Err(StoreError::Invalid(DomainError::InvalidTransition(_)))
        ),
        "{paid_from_draft:?}"
    );
    let open = stores
        .invoices
        .update_invoice(
            &admin,
            draft.id,
            invoice(client, "7", InvoiceStatus::Open),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(open.status, InvoiceStatus::Open);
    let paid = stores
        .invoices
        .update_invoice(
            &admin,
            draft.id,
            invoice(client, "7", InvoiceStatus::Paid),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert_eq!(paid.amount.amount_minor, 125_000);
}
