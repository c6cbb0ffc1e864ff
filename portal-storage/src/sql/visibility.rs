//! Who sees what, for the work stores: the facts handed to `authorize` carry an object's
//! *effective* visibility, and lists put the same rule into their SQL.
//!
//! Effective visibility, as the memory store defines it: an object is shown to a client only if
//! it is shared and everything it hangs under is shared. Every query that reads a row also
//! computes that flag (as a `shared` column, from the row joined to its parents), so a read, a
//! write and a list judge a row the same way.

use portal_core::{
    ClientFilter, ClientId, Permission, ResourceFacts, TenantId, TenantScope, Visibility,
};
use sqlx::{Database, Encode, QueryBuilder, Type};
use uuid::Uuid;

use crate::rules::{self, InvitationListRule, ListRule};
use crate::{Page, Paged, StoreError, StoreResult};

/// A row as read from the database, with the facts `authorize` needs about it.
#[derive(Debug, Clone)]
pub(super) struct Seen<T> {
    /// The record.
    pub(super) record: T,
    /// Its tenant, client and effective visibility.
    pub(super) facts: ResourceFacts,
}

impl<T> Seen<T> {
    /// A record of `client` that is effectively shared or not.
    pub(super) fn new(record: T, tenant: TenantId, client: ClientId, shared: bool) -> Self {
        Self {
            record,
            facts: ResourceFacts::of_client(tenant, client, visibility_of(shared)),
        }
    }

    /// The same row, judged as finance data.
    pub(super) fn finance(self) -> Self {
        Self {
            facts: self.facts.finance(),
            ..self
        }
    }
}

/// A `shared` flag as a visibility.
pub(super) const fn visibility_of(shared: bool) -> Visibility {
    if shared {
        Visibility::Shared
    } else {
        Visibility::Internal
    }
}

/// A read of one row: `None` when it is missing, foreign or hidden from the scope; `Forbidden`
/// when the scope sees it but lacks `permission`.
pub(super) fn readable<T>(
    scope: &TenantScope,
    permission: Permission,
    row: Option<Seen<T>>,
) -> StoreResult<Option<T>> {
    match row {
        None => Ok(None),
        Some(row) => match rules::require(scope, permission, &row.facts) {
            Ok(()) => Ok(Some(row.record)),
            Err(StoreError::NotFound) => Ok(None),
            Err(other) => Err(other),
        },
    }
}

/// A row to act on: `NotFound` when it is missing, foreign or hidden from the scope;
/// `Forbidden` when the scope sees it but may not do `permission`.
pub(super) fn permitted<T>(
    scope: &TenantScope,
    permission: Permission,
    row: Option<Seen<T>>,
) -> StoreResult<Seen<T>> {
    let row = row.ok_or(StoreError::NotFound)?;
    rules::require(scope, permission, &row.facts)?;
    Ok(row)
}

/// The page a list returns when its rule admits nothing: no query runs.
pub(super) const fn empty_page<T>() -> Paged<T> {
    Paged {
        items: Vec::new(),
        next: None,
    }
}

/// A list's page from its overfetched rows, each turned into its record by `record`.
pub(super) fn paged<R, T>(
    rows: Vec<R>,
    page: Page,
    record: impl FnMut(R) -> StoreResult<T>,
    id: impl Fn(&T) -> Uuid,
) -> StoreResult<Paged<T>> {
    let items = rows
        .into_iter()
        .map(record)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Paged::from_overfetch(items, page, id))
}

/// A work list's page: the query already applied the scope's rule, so each row's facts are
/// dropped and only its record kept.
pub(super) fn seen_page<R, T>(
    rows: Vec<R>,
    page: Page,
    into_seen: fn(R) -> StoreResult<Seen<T>>,
    id: impl Fn(&T) -> Uuid,
) -> StoreResult<Paged<T>> {
    paged(rows, page, |row| into_seen(row).map(|seen| seen.record), id)
}

/// The clients both filters admit (e.g. `view_invoices` and `view_financials`).
pub(super) fn both_filters(first: ClientFilter, second: ClientFilter) -> ClientFilter {
    match (first, second) {
        (ClientFilter::All, other) | (other, ClientFilter::All) => other,
        (ClientFilter::Only(first), ClientFilter::Only(second)) => ClientFilter::Only(
            first
                .into_iter()
                .filter(|client| second.contains(client))
                .collect(),
        ),
    }
}

/// Appends ` AND <column> IN (…)` for a client filter; an empty filter admits no row.
pub(super) fn push_clients<DB>(query: &mut QueryBuilder<DB>, column: &str, clients: &ClientFilter)
where
    DB: Database,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
{
    let ClientFilter::Only(clients) = clients else {
        return;
    };
    if clients.is_empty() {
        query.push(" AND 1 = 0");
        return;
    }
    query.push(" AND ").push(column).push(" IN (");
    let mut list = query.separated(", ");
    for client in clients {
        list.push_bind(*client.as_uuid());
    }
    list.push_unseparated(")");
}

/// Appends a list rule: the clients it admits and, unless it sees internal rows, the
/// effective-visibility condition `shared`.
pub(super) fn push_rule<DB>(
    query: &mut QueryBuilder<DB>,
    rule: &ListRule,
    client_column: &str,
    shared: &str,
) where
    DB: Database,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
{
    push_clients(query, client_column, &rule.clients);
    if !rule.internal {
        query.push(" AND (").push(shared).push(")");
    }
}

/// Appends an optional equality filter, ` AND <column> = ?`.
pub(super) fn push_eq<DB, T>(query: &mut QueryBuilder<DB>, column: &str, value: Option<T>)
where
    DB: Database,
    for<'q> T: Encode<'q, DB> + Type<DB>,
{
    if let Some(value) = value {
        query
            .push(" AND ")
            .push(column)
            .push(" = ")
            .push_bind(value);
    }
}

/// Ends a keyset page: the ids below the cursor, newest first, one more than the limit so
/// [`Paged::from_overfetch`] can tell whether another page follows.
pub(super) fn push_page<DB>(query: &mut QueryBuilder<DB>, id_column: &str, page: Page)
where
    DB: Database,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    if let Some(cursor) = page.cursor() {
        query
            .push(" AND ")
            .push(id_column)
            .push(" < ")
            .push_bind(cursor.id());
    }
    query
        .push(" ORDER BY ")
        .push(id_column)
        .push(" DESC LIMIT ")
        .push_bind(i64::from(page.limit()) + 1);
}

/// Narrows a query over memberships or invitations (`client_id` NULL for the staff) to the rows
/// `rule` admits. The rule must not be empty: the caller skips the query then.
pub(super) fn push_membership_rule<DB>(query: &mut QueryBuilder<DB>, rule: &InvitationListRule)
where
    DB: Database,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
{
    query.push(" AND (");
    if rule.staff {
        query.push("client_id IS NULL");
    }
    match &rule.clients {
        ClientFilter::Only(clients) if clients.is_empty() => {}
        filter => {
            if rule.staff {
                query.push(" OR ");
            }
            match filter {
                ClientFilter::All => {
                    query.push("client_id IS NOT NULL");
                }
                ClientFilter::Only(clients) => {
                    query.push("client_id IN (");
                    let mut list = query.separated(", ");
                    for client in clients {
                        list.push_bind(*client.as_uuid());
                    }
                    list.push_unseparated(")");
                }
            }
        }
    }
    query.push(")");
}

for_each_backend! {
    impl Store {
        /// Whether `client` is a client of `tenant`: the parent check before a new object is
        /// written under it (the foreign key would refuse it too, but later and less clearly).
        pub(super) async fn client_of_tenant(
            tx: &mut Conn,
            tenant: TenantId,
            client: ClientId,
        ) -> StoreResult<bool> {
            let found: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM portal_client WHERE tenant_id = $1 AND client_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*client.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(super::backend)?;
            Ok(found.is_some())
        }

        /// Whether `user` is a user of `tenant` (an assignee, say).
        pub(super) async fn user_of_tenant(
            tx: &mut Conn,
            tenant: TenantId,
            user: portal_core::UserId,
        ) -> StoreResult<bool> {
            let found: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM portal_user WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(super::backend)?;
            Ok(found.is_some())
        }

        /// Whether `tenant` exists: a background job's scope names a tenant no membership vouched
        /// for.
        pub(super) async fn tenant_exists(
            tx: &mut Conn,
            tenant: TenantId,
        ) -> StoreResult<bool> {
            let found: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM portal_tenant WHERE tenant_id = $1")
                    .bind(*tenant.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(super::backend)?;
            Ok(found.is_some())
        }

        /// One row and its facts, by id within `tenant` (`sql` binds `$1` to the id and `$2` to
        /// the tenant): the read every work store starts from.
        pub(super) async fn fetch_seen<R, T>(
            tx: &mut Conn,
            sql: &'static str,
            id: Uuid,
            tenant: TenantId,
            into_seen: fn(R) -> StoreResult<Seen<T>>,
        ) -> StoreResult<Option<Seen<T>>>
        where
            R: for<'r> sqlx::FromRow<'r, <Db as Database>::Row> + Send + Unpin,
        {
            sqlx::query_as::<Db, R>(sql)
                .bind(id)
                .bind(*tenant.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(super::backend)?
                .map(into_seen)
                .transpose()
        }

        /// One row of `tenant` by id (`sql` binds `$1` to the tenant and `$2` to the id), as
        /// `into` reads it.
        pub(super) async fn fetch_in<R, T>(
            tx: &mut Conn,
            sql: &'static str,
            tenant: TenantId,
            id: Uuid,
            into: fn(R) -> StoreResult<T>,
        ) -> StoreResult<Option<T>>
        where
            R: for<'r> sqlx::FromRow<'r, <Db as Database>::Row> + Send + Unpin,
        {
            sqlx::query_as::<Db, R>(sql)
                .bind(*tenant.as_uuid())
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(super::backend)?
                .map(into)
                .transpose()
        }

        /// Runs a built list query in `tx`, then commits: the end of every list.
        pub(super) async fn fetch_list<R>(
            mut tx: sqlx::Transaction<'static, Db>,
            mut query: QueryBuilder<Db>,
        ) -> StoreResult<Vec<R>>
        where
            R: for<'r> sqlx::FromRow<'r, <Db as Database>::Row> + Send + Unpin,
        {
            let rows = query
                .build_query_as::<R>()
                .fetch_all(&mut *tx)
                .await
                .map_err(super::backend)?;
            tx.commit().await.map_err(super::backend)?;
            Ok(rows)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_intersect() {
        let (a, b, c) = (ClientId::new(), ClientId::new(), ClientId::new());
        assert_eq!(
            both_filters(ClientFilter::All, ClientFilter::All),
            ClientFilter::All
        );
        assert_eq!(
            both_filters(ClientFilter::All, ClientFilter::Only(vec![a])),
            ClientFilter::Only(vec![a])
        );
        assert_eq!(
            both_filters(
                ClientFilter::Only(vec![a, b]),
                ClientFilter::Only(vec![b, c])
            ),
            ClientFilter::Only(vec![b])
        );
    }

    #[test]
    fn hidden_rows_read_as_missing() {
        let tenant = TenantId::new();
        let client = ClientId::new();
        let stranger = TenantScope::dangerous_system(TenantId::new());
        let row = Seen::new((), tenant, client, true);
        assert!(
            readable(&stranger, Permission::ViewProjects, Some(row.clone()))
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            permitted(&stranger, Permission::ViewProjects, Some(row)),
            Err(StoreError::NotFound)
        ));
        let own = TenantScope::dangerous_system(tenant);
        assert!(
            readable(
                &own,
                Permission::ViewProjects,
                Some(Seen::new((), tenant, client, false))
            )
            .unwrap()
            .is_some()
        );
    }
}
