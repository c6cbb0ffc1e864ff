//! Everything of one client as one zip archive: `README.txt`, `export.json` (the records, in
//! the JSON API's own shapes) and `files/<document id>/<version>-<name>` (every version's bytes,
//! checked against its SHA-256 while they stream). `docs/client-export.md` describes the format.
//!
//! [`ClientExport::prepare`] checks the caller and reads the records — a refusal is still an
//! ordinary error answer — and [`ClientExport::into_stream`] writes the archive while the
//! response is sent, holding a few chunks at a time ([`CHUNK_BYTES`] × [`CHANNEL_CHUNKS`]),
//! never a whole file. The JSON API (`GET /clients/{id}/export`) and the staff client page both
//! use it; each records the export in the audit log before the first byte goes out.
//!
//! By default the export holds what the client itself sees — shared objects under shared
//! parents, shared messages, issued invoices, no team-only fields — plus its contacts and
//! invitations. With [`ExportOptions::include_internal`] (which needs `view_internal`) internal
//! objects, the team's fields and share links are in it too, each object marked with its
//! visibility.

mod archive;
mod manifest;
mod paths;

use bytes::Bytes;
use futures_util::Stream;
use portal_core::model::{AuditContext, Client, NewAuditEvent, ObjectRef};
use portal_core::{ClientId, Permission, ResourceFacts, TenantScope, Visibility};
use portal_storage::StoreError;
use serde_json::json;
use time::OffsetDateTime;

pub use archive::{CHANNEL_CHUNKS, CHUNK_BYTES, ExportError};
pub use manifest::{Counts, FORMAT};

use crate::api::staff::clients::{ClientView, found_client};
use crate::error::ApiError;
use crate::state::PortalState;

/// What to put into an export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Internal objects, internal messages, the team's fields and share links too; needs
    /// `view_internal` besides `export_client_data`.
    pub include_internal: bool,
}

/// An export checked and read, ready to stream.
pub struct ClientExport {
    state: PortalState,
    contents: archive::Contents,
    counts: Counts,
    options: ExportOptions,
    client: Client,
    file_name: String,
}

impl std::fmt::Debug for ClientExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientExport")
            .field("client", &self.client.id)
            .field("counts", &self.counts)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl ClientExport {
    /// Checks that `scope` may export `client` and reads its records.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] for a client the scope does not reach (missing, of another tenant,
    /// or not assigned), exactly as for a missing id; [`ApiError::Forbidden`] without
    /// `export_client_data`, or without `view_internal` when internal objects are asked for;
    /// a store's failure.
    pub async fn prepare(
        state: &PortalState,
        scope: &TenantScope,
        client: ClientId,
        options: ExportOptions,
    ) -> Result<Self, ApiError> {
        let found = found_client(state, scope, client).await?;
        // The client is reached; the permissions are asked of core's policy on the client.
        let facts = ResourceFacts::of_client(scope.tenant_id(), client, Visibility::Shared);
        scope
            .require(Permission::ExportClientData, &facts)
            .map_err(StoreError::from)?;
        if options.include_internal {
            scope
                .require(Permission::ViewInternal, &facts)
                .map_err(StoreError::from)?;
        }
        let tenant = state.stores().tenants.tenant(scope).await?;
        let gathered = manifest::gather(state, scope, client, options.include_internal).await?;
        let counts = gathered.records.counts(&gathered.files);
        let exported_at = OffsetDateTime::now_utc();
        let mut client_view = ClientView::from(found.clone());
        if !options.include_internal {
            client_view.external_id = None;
        }
        let manifest = manifest::Manifest {
            format: FORMAT,
            exported_at,
            exported_by: scope.principal().user_id(),
            tenant: tenant.slug.as_str().to_owned(),
            include_internal: options.include_internal,
            counts,
            client: client_view,
            records: gathered.records,
        };
        let manifest = serde_json::to_vec_pretty(&manifest).map_err(ApiError::internal)?;
        Ok(Self {
            state: state.clone(),
            contents: archive::Contents {
                readme: readme(found.name.as_str(), exported_at, options),
                manifest,
                files: gathered.files,
                tenant: scope.tenant_id(),
                written_at: exported_at,
            },
            counts,
            options,
            file_name: paths::download_name(found.name.as_str(), exported_at.date()),
            client: found,
        })
    }

    /// How many of each object the export holds, and the bytes of its files.
    #[must_use]
    pub const fn counts(&self) -> &Counts {
        &self.counts
    }

    /// The download's file name, `<client name slug>-export-<YYYY-MM-DD>.zip`.
    #[must_use]
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Records the export in the tenant's audit log (`client.exported`, on the client, with the
    /// counts, whether internal objects were included and the bytes of the files).
    ///
    /// # Errors
    /// The audit store's failure: then nothing may be sent.
    pub async fn record(&self, scope: &TenantScope, audit: &AuditContext) -> Result<(), ApiError> {
        let object = ObjectRef {
            kind: "client".to_owned(),
            id: *self.client.id.as_uuid(),
        };
        let event = NewAuditEvent::by(scope, "client.exported", Some(object)).with_details(json!({
            "include_internal": self.options.include_internal,
            "file_bytes": self.counts.file_bytes,
            "counts": self.counts,
        }));
        self.state
            .stores()
            .audit
            .append(scope, event, audit)
            .await?;
        Ok(())
    }

    /// The archive, written while it is read. A failure mid-way (a file that does not match its
    /// SHA-256, a blob that cannot be read) is the stream's last item: the archive stays
    /// unfinished.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, ExportError>> + Send + 'static {
        archive::stream(self.contents, self.state)
    }
}

/// `README.txt`: what the archive holds, for whoever opens it.
fn readme(client: &str, at: OffsetDateTime, options: ExportOptions) -> String {
    let at = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let scope = if options.include_internal {
        "everything the team sees: shared and internal objects, internal messages and the \
         team's own fields, each object marked with its visibility"
    } else {
        "what the client itself sees: shared objects, shared messages and issued invoices"
    };
    format!(
        "Export of {client}, made {at} (format {FORMAT}).\n\
         \n\
         It holds {scope}, plus the client's contacts and invitations.\n\
         \n\
         export.json   the records: the client, contacts, invitations, projects, milestones,\n\
         \x20             deliverables, approvals and their decisions, invoices, documents and\n\
         \x20             their versions, status updates, decision records, tasks, requests and\n\
         \x20             their replies, message threads and share links (never their tokens).\n\
         files/        every document version's file, as files/<document id>/<version>-<name>;\n\
         \x20             each version in export.json names its path and SHA-256 (a path of\n\
         \x20             null: the storage no longer held that file when it was exported).\n"
    )
}
