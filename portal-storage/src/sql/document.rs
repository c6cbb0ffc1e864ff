//! Documents and their versions. A version is recorded once its upload is committed and hashed;
//! recording it numbers it, makes it current, and writes its audit event and outbox row in one
//! transaction. A document is shown to a client only while it (and its project, if any) is
//! shared; its versions follow it.

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, Document, DocumentVersion, NewDocument, NewDocumentVersion,
};
use portal_core::{
    ClientId, DisplayName, DocumentId, DocumentVersionId, Invalid, Permission, ProjectId,
    ResourceFacts, ShareLinkId, TenantId, TenantScope, Visibility,
};
use serde_json::json;
use sqlx::QueryBuilder;
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::{digest, parsed};
use super::visibility::{
    Seen, empty_page, permitted, push_eq, push_page, push_rule, readable, seen_page, visibility_of,
};
use super::work_convert::{acting_person, person, visibility, visibility_name};
use super::work_rules::{event, invalid, require_text};
use super::{backend, map_db_error};
use crate::rules::{self, ListRule, events};
use crate::traits::{DocumentFilter, DocumentStore};
use crate::{Page, Paged, StoreError, StoreResult};

/// The joins that give a row of `doc` its effective visibility.
macro_rules! document_from {
    () => {
        " FROM portal_document doc \
         LEFT JOIN portal_project p \
         ON p.tenant_id = doc.tenant_id AND p.project_id = doc.project_id"
    };
}

/// A document's effective visibility: shared, in no project or in a shared one.
macro_rules! document_shared {
    () => {
        "doc.visibility = 'shared' AND (doc.project_id IS NULL OR p.visibility = 'shared')"
    };
}

macro_rules! document_select {
    () => {
        concat!(
            "SELECT doc.document_id, doc.tenant_id, doc.client_id, doc.project_id, doc.title, \
             doc.visibility, doc.current_version_id, doc.created_at, (",
            document_shared!(),
            ") AS shared",
            document_from!()
        )
    };
}

macro_rules! version_select {
    () => {
        concat!(
            "SELECT v.document_version_id, v.tenant_id, v.client_id, v.document_id, v.number, \
             v.blob_key, v.sha256, v.size, v.content_type, v.file_name, v.uploaded_by, \
             v.via_share_link_id, v.created_at, (",
            document_shared!(),
            ") AS shared FROM portal_document_version v \
             JOIN portal_document doc \
             ON doc.tenant_id = v.tenant_id AND doc.document_id = v.document_id \
             LEFT JOIN portal_project p \
             ON p.tenant_id = doc.tenant_id AND p.project_id = doc.project_id"
        )
    };
}

const SHARED: &str = document_shared!();

const SELECT_DOCUMENT: &str = concat!(
    document_select!(),
    " WHERE doc.document_id = $1 AND doc.tenant_id = $2"
);

const SELECT_VERSION: &str = concat!(
    version_select!(),
    " WHERE v.document_version_id = $1 AND v.tenant_id = $2"
);

const INSERT_DOCUMENT: &str = "INSERT INTO portal_document (document_id, tenant_id, client_id, \
    project_id, title, visibility, current_version_id, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)";

/// A no-op write that takes the document's row lock on PostgreSQL, so concurrent uploads to one
/// document number their versions one after the other (SQLite's write lock already does).
const LOCK_DOCUMENT: &str = "UPDATE portal_document SET current_version_id = current_version_id \
    WHERE document_id = $1 AND tenant_id = $2";

/// The highest number so far (0 for none).
const NEXT_NUMBER: &str = "SELECT COALESCE(MAX(number), 0) FROM portal_document_version \
    WHERE tenant_id = $1 AND document_id = $2";

const INSERT_VERSION: &str = "INSERT INTO portal_document_version (document_version_id, \
    tenant_id, client_id, document_id, number, blob_key, sha256, size, content_type, file_name, \
    uploaded_by, via_share_link_id, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

const SET_CURRENT: &str = "UPDATE portal_document SET current_version_id = $1 \
    WHERE document_id = $2 AND tenant_id = $3";

const RENAME: &str =
    "UPDATE portal_document SET title = $1 WHERE document_id = $2 AND tenant_id = $3";

const SET_VISIBILITY: &str =
    "UPDATE portal_document SET visibility = $1 WHERE document_id = $2 AND tenant_id = $3";

/// A stored document with its effective visibility.
#[derive(sqlx::FromRow)]
struct DocumentRow {
    document_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Option<Uuid>,
    title: String,
    visibility: String,
    current_version_id: Option<Uuid>,
    created_at: OffsetDateTime,
    shared: bool,
}

impl DocumentRow {
    fn into_seen(self) -> StoreResult<Seen<Document>> {
        let document = Document {
            id: DocumentId::from_uuid(self.document_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: self.project_id.map(ProjectId::from_uuid),
            title: parsed("title", &self.title)?,
            visibility: visibility(&self.visibility)?,
            current_version: self.current_version_id.map(DocumentVersionId::from_uuid),
            created_at: self.created_at,
        };
        let (tenant, client) = (document.tenant, document.client);
        Ok(Seen::new(document, tenant, client, self.shared))
    }
}

/// A stored version with its document's effective visibility.
#[derive(sqlx::FromRow)]
struct VersionRow {
    document_version_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    document_id: Uuid,
    number: i32,
    blob_key: String,
    sha256: Vec<u8>,
    size: i64,
    content_type: String,
    file_name: String,
    uploaded_by: Option<Uuid>,
    via_share_link_id: Option<Uuid>,
    created_at: OffsetDateTime,
    shared: bool,
}

impl VersionRow {
    fn into_seen(self) -> StoreResult<Seen<DocumentVersion>> {
        let version = DocumentVersion {
            id: DocumentVersionId::from_uuid(self.document_version_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            document: DocumentId::from_uuid(self.document_id),
            number: self.number,
            blob_key: self.blob_key,
            sha256: digest("sha256", &self.sha256)?,
            size: self.size,
            content_type: self.content_type,
            file_name: self.file_name,
            uploaded_by: person(self.uploaded_by),
            via_share_link: self.via_share_link_id.map(ShareLinkId::from_uuid),
            created_at: self.created_at,
        };
        let (tenant, client) = (version.tenant, version.client);
        Ok(Seen::new(version, tenant, client, self.shared))
    }
}

/// Builds the document list after `query`'s prefix: the documents the scope may see, newest
/// first (a client's shared ones read the `(tenant_id, client_id, document_id)` index). `false`
/// when the scope may list nothing, and no query should run.
fn push_document_list<DB>(
    query: &mut QueryBuilder<DB>,
    scope: &TenantScope,
    filter: DocumentFilter,
    page: Page,
) -> bool
where
    DB: sqlx::Database,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let rule = ListRule::new(scope, Permission::ViewDocuments);
    if rule.is_empty() {
        return false;
    }
    query.push(document_select!());
    query
        .push(" WHERE doc.tenant_id = ")
        .push_bind(*scope.tenant_id().as_uuid());
    push_rule(query, &rule, "doc.client_id", SHARED);
    push_eq(
        query,
        "doc.client_id",
        filter.client.map(|client| *client.as_uuid()),
    );
    push_eq(
        query,
        "doc.project_id",
        filter.project.map(|project| *project.as_uuid()),
    );
    push_page(query, "doc.document_id", page);
    true
}

for_each_backend! {
    impl Store {
        /// A document of `tenant` with its facts, whatever the scope may see of it.
        pub(super) async fn fetch_document(
            tx: &mut Conn,
            tenant: TenantId,
            id: DocumentId,
        ) -> StoreResult<Option<Seen<Document>>> {
            Store::fetch_seen(
                tx,
                SELECT_DOCUMENT,
                *id.as_uuid(),
                tenant,
                DocumentRow::into_seen,
            )
            .await
        }

        /// A document version of `tenant` with its document's facts.
        pub(super) async fn fetch_version(
            tx: &mut Conn,
            tenant: TenantId,
            id: DocumentVersionId,
        ) -> StoreResult<Option<Seen<DocumentVersion>>> {
            Store::fetch_seen(
                tx,
                SELECT_VERSION,
                *id.as_uuid(),
                tenant,
                VersionRow::into_seen,
            )
            .await
        }
    }

    async fn add_version_in(
        tx: &mut Conn,
        scope: &TenantScope,
        id: DocumentId,
        new: NewDocumentVersion,
        audit: &AuditContext,
    ) -> StoreResult<DocumentVersion> {
        let tenant = scope.tenant_id();
        let document = permitted(
            scope,
            Permission::UploadDocuments,
            Store::fetch_document(tx, tenant, id).await?,
        )?
        .record;
        require_text("blob_key", &new.blob_key)?;
        if new.size < 0 {
            return Err(invalid("size", Invalid::OutOfRange));
        }
        sqlx::query(LOCK_DOCUMENT)
            .bind(*id.as_uuid())
            .bind(*tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let last: i32 = sqlx::query_scalar(NEXT_NUMBER)
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        let number = last
            .checked_add(1)
            .ok_or_else(|| invalid("number", Invalid::OutOfRange))?;
        let uploader = acting_person(scope);
        let version = DocumentVersion {
            id: DocumentVersionId::new(),
            tenant,
            client: document.client,
            document: id,
            number,
            blob_key: new.blob_key,
            sha256: new.sha256,
            size: new.size,
            content_type: new.content_type,
            file_name: new.file_name,
            uploaded_by: person(uploader),
            via_share_link: new.via_share_link,
            created_at: now(),
        };
        sqlx::query(INSERT_VERSION)
            .bind(*version.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(*version.client.as_uuid())
            .bind(*id.as_uuid())
            .bind(number)
            .bind(version.blob_key.as_str())
            .bind(version.sha256.as_bytes().as_slice())
            .bind(version.size)
            .bind(version.content_type.as_str())
            .bind(version.file_name.as_str())
            .bind(uploader)
            .bind(version.via_share_link.map(|link| *link.as_uuid()))
            .bind(version.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error("blob key already recorded"))?;
        sqlx::query(SET_CURRENT)
            .bind(*version.id.as_uuid())
            .bind(*id.as_uuid())
            .bind(*tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let details = json!({ "version": version.id, "number": number });
        let event = event(
            scope,
            events::DOCUMENT_VERSION_ADDED,
            "document",
            id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        let payload = json!({
            "document": id,
            "version": version.id,
            "client": version.client,
            "project": document.project,
        });
        Store::enqueue_in(tx, tenant, events::DOCUMENT_VERSION_ADDED, &payload).await?;
        Ok(version)
    }

    /// A new document without versions, in `tx`.
    async fn create_document_in(
        tx: &mut Conn,
        scope: &TenantScope,
        document: NewDocument,
        audit: &AuditContext,
    ) -> StoreResult<Document> {
        let tenant = scope.tenant_id();
        if !Store::client_of_tenant(tx, tenant, document.client).await? {
            return Err(StoreError::NotFound);
        }
        let project =
            Store::project_of_client(tx, scope, document.client, document.project).await?;
        // A contact's upload is the client's own: always shared.
        let visibility = if scope.is_staff_side() {
            document.visibility
        } else {
            Visibility::Shared
        };
        let project_shared = project
            .as_ref()
            .is_none_or(|project| project.record.visibility.is_shared());
        let facts = ResourceFacts::of_client(
            tenant,
            document.client,
            visibility_of(visibility.is_shared() && project_shared),
        );
        rules::require(scope, Permission::UploadDocuments, &facts)?;
        if scope.is_staff_side() && visibility.is_shared() {
            rules::require(scope, Permission::Publish, &facts)?;
        }
        let created = Document {
            id: DocumentId::new(),
            tenant,
            client: document.client,
            project: document.project,
            title: document.title,
            visibility,
            current_version: None,
            created_at: now(),
        };
        sqlx::query(INSERT_DOCUMENT)
            .bind(*created.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(*created.client.as_uuid())
            .bind(created.project.map(|project| *project.as_uuid()))
            .bind(created.title.as_str())
            .bind(visibility_name(visibility))
            .bind(created.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error("document already exists"))?;
        let details = json!({ "project": created.project, "visibility": visibility });
        let event = event(
            scope,
            events::DOCUMENT_CREATED,
            "document",
            created.id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Ok(created)
    }

    #[async_trait]
    impl DocumentStore for Store {
        async fn create_document(
            &self,
            scope: &TenantScope,
            document: NewDocument,
            audit: &AuditContext,
        ) -> StoreResult<Document> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let created = create_document_in(&mut tx, scope, document, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(created)
        }

        async fn create_document_with_version(
            &self,
            scope: &TenantScope,
            document: NewDocument,
            version: NewDocumentVersion,
            audit: &AuditContext,
        ) -> StoreResult<(Document, DocumentVersion)> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let created = create_document_in(&mut tx, scope, document, audit).await?;
            let version = add_version_in(&mut tx, scope, created.id, version, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok((rules::with_current_version(created, &version), version))
        }

        async fn document(
            &self,
            scope: &TenantScope,
            id: DocumentId,
        ) -> StoreResult<Option<Document>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = Store::fetch_document(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewDocuments, row)
        }

        async fn list_documents(
            &self,
            scope: &TenantScope,
            filter: DocumentFilter,
            page: Page,
        ) -> StoreResult<Paged<Document>> {
            let mut query = QueryBuilder::<Db>::new("");
            if !push_document_list(&mut query, scope, filter, page) {
                return Ok(empty_page());
            }
            let tx = self.read(scope.tenant_id()).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, DocumentRow::into_seen, |document| {
                *document.id.as_uuid()
            })
        }

        async fn add_version(
            &self,
            scope: &TenantScope,
            document: DocumentId,
            version: NewDocumentVersion,
            audit: &AuditContext,
        ) -> StoreResult<DocumentVersion> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let version = add_version_in(&mut tx, scope, document, version, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(version)
        }

        async fn version(
            &self,
            scope: &TenantScope,
            id: DocumentVersionId,
        ) -> StoreResult<Option<DocumentVersion>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = Store::fetch_version(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewDocuments, row)
        }

        async fn stored_bytes(&self, scope: &TenantScope) -> StoreResult<u64> {
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let total: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(SUM(size) AS BIGINT) FROM portal_document_version WHERE tenant_id = $1",
            )
            .bind(*tenant.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(total.map_or(0, |total| u64::try_from(total).unwrap_or(0)))
        }

        async fn list_versions(
            &self,
            scope: &TenantScope,
            document: DocumentId,
            page: Page,
        ) -> StoreResult<Paged<DocumentVersion>> {
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            permitted(
                scope,
                Permission::ViewDocuments,
                Store::fetch_document(&mut tx, tenant, document).await?,
            )?;
            let rule = ListRule::new(scope, Permission::ViewDocuments);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let mut query = QueryBuilder::<Db>::new(version_select!());
            query
                .push(" WHERE v.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            query
                .push(" AND v.document_id = ")
                .push_bind(*document.as_uuid());
            push_rule(&mut query, &rule, "v.client_id", SHARED);
            push_page(&mut query, "v.document_version_id", page);
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, VersionRow::into_seen, |version| {
                *version.id.as_uuid()
            })
        }

        async fn rename_document(
            &self,
            scope: &TenantScope,
            id: DocumentId,
            title: DisplayName,
            audit: &AuditContext,
        ) -> StoreResult<Document> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = permitted(
                scope,
                Permission::ManageDocuments,
                Store::fetch_document(&mut tx, tenant, id).await?,
            )?
            .record;
            if current.title == title {
                return Ok(current);
            }
            sqlx::query(RENAME)
                .bind(title.as_str())
                .bind(*id.as_uuid())
                .bind(*tenant.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let event = event(
                scope,
                events::DOCUMENT_RENAMED,
                "document",
                id.as_uuid(),
                serde_json::Value::Null,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(Document { title, ..current })
        }

        async fn set_document_visibility(
            &self,
            scope: &TenantScope,
            id: DocumentId,
            visibility: Visibility,
            audit: &AuditContext,
        ) -> StoreResult<Document> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let fetched = Store::fetch_document(&mut tx, tenant, id).await?;
            let document =
                Store::publish_in(&mut tx, scope, SET_VISIBILITY, fetched, visibility, audit)
                    .await?;
            tx.commit().await.map_err(backend)?;
            Ok(document)
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod tests {
    use portal_core::BuiltinRole;
    use portal_core::state::Sha256Digest;

    use super::super::work_fixture::{
        assert_indexed, client, ctx, database, member, name, plan, project, tenant,
    };
    use super::*;

    fn upload(tenant: TenantId, byte: u8) -> NewDocumentVersion {
        NewDocumentVersion {
            blob_key: format!("{tenant}/{}", Uuid::new_v4().simple()),
            sha256: Sha256Digest::from_bytes([byte; 32]),
            size: 10,
            content_type: "application/pdf".into(),
            file_name: "brief.pdf".into(),
            via_share_link: None,
        }
    }

    /// Versions are numbered 1, 2, 3 and the newest is current; a blob key is recorded once; a
    /// version follows its document's visibility.
    #[tokio::test]
    async fn versions_are_numbered_and_follow_their_document() {
        let db = database(2).await;
        let store = &db.store;
        let acme = tenant(store).await;
        let manager = member(store, acme, BuiltinRole::Manager, &[]).await;
        let client = client(store, acme).await;
        let contact = member(store, acme, BuiltinRole::Viewer, &[client]).await;
        let project = project(store, &manager, client, Visibility::Shared).await;
        let new = NewDocument {
            client,
            project: Some(project),
            title: name("Brief"),
            visibility: Visibility::Shared,
        };
        let document = store.create_document(&manager, new, &ctx()).await.unwrap();
        let mut numbers = Vec::new();
        let mut last = None;
        for byte in 1..=3 {
            let version = store
                .add_version(&manager, document.id, upload(acme, byte), &ctx())
                .await
                .unwrap();
            numbers.push(version.number);
            last = Some(version);
        }
        assert_eq!(numbers, vec![1, 2, 3]);
        let last = last.unwrap();
        let current = store
            .document(&contact, document.id)
            .await
            .unwrap()
            .unwrap()
            .current_version;
        assert_eq!(current, Some(last.id));
        let listed = store
            .list_versions(&contact, document.id, Page::first(2).unwrap())
            .await
            .unwrap();
        assert_eq!(
            listed.items.iter().map(|v| v.number).collect::<Vec<_>>(),
            vec![3, 2]
        );
        assert!(listed.next.is_some());

        let reused = NewDocumentVersion {
            blob_key: last.blob_key.clone(),
            ..upload(acme, 9)
        };
        let again = store
            .add_version(&manager, document.id, reused, &ctx())
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "{again:?}"
        );

        store
            .set_document_visibility(&manager, document.id, Visibility::Internal, &ctx())
            .await
            .unwrap();
        assert!(store.version(&contact, last.id).await.unwrap().is_none());
        assert!(matches!(
            store
                .list_versions(&contact, document.id, Page::first(2).unwrap())
                .await,
            Err(StoreError::NotFound)
        ));
    }

    /// The dashboard's shared documents of a contact's client come from the client index.
    #[tokio::test]
    async fn shared_documents_by_client_use_an_index() {
        let db = database(1).await;
        let acme = tenant(&db.store).await;
        let client = client(&db.store, acme).await;
        let contact = member(&db.store, acme, BuiltinRole::Viewer, &[client]).await;
        let mut query = QueryBuilder::new("EXPLAIN QUERY PLAN ");
        let filter = DocumentFilter {
            client: Some(client),
            project: None,
        };
        assert!(push_document_list(
            &mut query,
            &contact,
            filter,
            Page::first(20).unwrap()
        ));
        let plan = plan(&db.store, query).await;
        assert_indexed(&plan);
        assert!(
            plan.iter()
                .any(|step| step.contains("portal_document_shared")),
            "{plan:#?}"
        );
    }
}
