//! `/clients/{id}/export`: everything of one client as a zip archive
//! ([`crate::client_data::export`]), audited before the first byte is sent.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use portal_core::{ClientId, TenantScope};
use serde::Deserialize;
use utoipa::IntoParams;

use super::StaffCaller;
use crate::client_data::export::{ClientExport, ExportOptions};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, ClientIp};
use crate::state::PortalState;

/// What to export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportClientQuery {
    /// Internal objects, internal messages, the team's fields and share links too (needs
    /// `view_internal`); `false` by default: what the client itself sees.
    #[serde(default)]
    pub include_internal: bool,
}

/// Exports one client — its records as `export.json` and every document version's file —
/// as a zip archive, streamed (`export_client_data`; `view_internal` too for internal
/// objects). The export is recorded in the audit log (`client.exported`) before it is sent.
#[utoipa::path(get, path = "/clients/{client_id}/export", tag = "staff",
    params(("client_id" = String, Path, format = Uuid), ExportClientQuery),
    responses(
        (status = 200, description = "The archive, streamed as an attachment named `<client>-export-<YYYY-MM-DD>.zip`; see docs/client-export.md for its layout",
            content_type = "application/zip", body = Vec<u8>,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"…\"`"))),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, without `export_client_data`, or asking for internal objects without `view_internal`", body = ErrorBody),
        (status = 404, description = "No such client the caller reaches", body = ErrorBody),
        (status = 422, description = "A query value that does not parse", body = ErrorBody),
    ))]
pub async fn export_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(client): ApiPath<ClientId>,
    ApiQuery(query): ApiQuery<ExportClientQuery>,
) -> Result<Response, ApiError> {
    let options = ExportOptions {
        include_internal: query.include_internal,
    };
    download(&state, &caller.scope, ip, client, options).await
}

/// The audited download of `client`'s export: what the API answers and what the staff page
/// sends.
pub(crate) async fn download(
    state: &PortalState,
    scope: &TenantScope,
    ip: ClientIp,
    client: ClientId,
    options: ExportOptions,
) -> Result<Response, ApiError> {
    let export = ClientExport::prepare(state, scope, client, options).await?;
    export.record(scope, &ip.audit()).await?;
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.file_name()))
            .map_err(ApiError::internal)?;
    let mut response = Body::from_stream(export.into_stream()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    Ok(response)
}
