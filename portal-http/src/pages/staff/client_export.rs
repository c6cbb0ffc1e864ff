//! `staff/clients/{id}/export`: the client page's "Export client data" form downloads the
//! archive through the API's own export ([`crate::client_data::export`]), which records the
//! export in the audit log. A GET download, like the audit log's export: it changes nothing
//! but the log.

use axum::extract::{Path, RawQuery};
use axum::response::Response;
use portal_core::{ClientId, Permission};
use serde::{Deserialize, Serialize};

use super::client::client_id;
use super::shared::may;
use crate::api::staff::client_export::download;
use crate::client_data::export::ExportOptions;
use crate::extract::ClientIp;
use crate::pages::signed::{Failure, SignedPage};

/// The form's query: the checkbox is `include_internal=true` when ticked, absent otherwise.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExportFields {
    include_internal: String,
}

/// The export form on the client page, for holders of `export_client_data` in the client.
#[derive(Debug, Serialize)]
pub(super) struct ExportForm {
    /// Where the form goes.
    action: String,
    /// Whether the "include internal objects" box is offered (`view_internal`).
    internal: bool,
}

impl ExportForm {
    /// The form for the viewer of `client`'s page at `path`, if the viewer may export.
    pub(super) fn of(page: &SignedPage, client: ClientId, path: &str) -> Option<Self> {
        may(&page.scope, client, Permission::ExportClientData).then(|| Self {
            action: format!("{path}/export"),
            internal: may(&page.scope, client, Permission::ViewInternal),
        })
    }
}

/// `GET staff/clients/{id}/export?include_internal=true`: the archive as a download.
pub(crate) async fn export(
    page: SignedPage,
    ip: ClientIp,
    Path(client): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = client_id(&page, &client)?;
        let fields: ExportFields =
            serde_html_form::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
        let options = ExportOptions {
            include_internal: matches!(fields.include_internal.as_str(), "true" | "on"),
        };
        Ok::<_, Failure>(download(&page.state, &page.scope, ip, id, options).await?)
    }
    .await;
    result.unwrap_or_else(|failure| page.fail(failure))
}
