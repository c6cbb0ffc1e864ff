//! Finding the tenant of a request before routing: a custom domain from the `Host` header, else
//! the first path segment as the tenant's slug (which is then stripped), or the one configured
//! tenant. Never from a header or field the client chooses freely (SEC-27): a `Host` only counts
//! if a tenant registered that domain.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use moka::sync::Cache;
use portal_core::Slug;
use portal_core::model::Tenant;

use crate::config::TenantRouting;
use crate::error::ApiError;
use crate::state::PortalState;

/// The tenant a request is addressed to.
#[derive(Debug, Clone)]
pub struct RequestTenant(pub Tenant);

impl<S: Send + Sync> FromRequestParts<S> for RequestTenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(ApiError::NotFound)
    }
}

/// Middleware: resolves the tenant, strips its slug from the path and passes the request on; an
/// unknown tenant is a 404 before any route runs.
pub(crate) async fn resolve_tenant(
    State(state): State<PortalState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    match find(&state, &mut request).await {
        Ok(tenant) => {
            request.extensions_mut().insert(RequestTenant(tenant));
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

async fn find(state: &PortalState, request: &mut Request<Body>) -> Result<Tenant, ApiError> {
    let cache = state.tenant_cache();
    match &state.config().tenant_routing {
        TenantRouting::Single(slug) => cache.by_slug(state, slug).await?.ok_or(ApiError::NotFound),
        TenantRouting::PathOrDomain => {
            if let Some(host) = host(request)
                && let Some(tenant) = cache.by_domain(state, &host).await?
            {
                return Ok(tenant);
            }
            let (slug, rest) = split_slug(request.uri().path()).ok_or(ApiError::NotFound)?;
            let slug = Slug::parse(slug).map_err(|_| ApiError::NotFound)?;
            let tenant = cache
                .by_slug(state, &slug)
                .await?
                .ok_or(ApiError::NotFound)?;
            let rest = rest.to_owned();
            *request.uri_mut() = strip(request.uri(), &rest)?;
            Ok(tenant)
        }
    }
}

/// Tenants looked up by slug or by domain — found or not — reused for a few seconds: routing
/// happens on every request, and tenants almost never change. Bounded in entries, so a flood of
/// made-up slugs or hosts cannot grow it without end.
pub(crate) struct TenantCache {
    by_slug: Option<Cache<String, Option<Tenant>>>,
    by_domain: Option<Cache<String, Option<Tenant>>>,
}

/// The most slugs and domains remembered (each, found or not).
const TENANT_CACHE_ENTRIES: u64 = 10_000;

impl TenantCache {
    pub(crate) fn new(ttl: std::time::Duration) -> Self {
        let cache = || {
            (!ttl.is_zero()).then(|| {
                Cache::builder()
                    .max_capacity(TENANT_CACHE_ENTRIES)
                    .time_to_live(ttl)
                    .build()
            })
        };
        Self {
            by_slug: cache(),
            by_domain: cache(),
        }
    }

    async fn by_slug(&self, state: &PortalState, slug: &Slug) -> Result<Option<Tenant>, ApiError> {
        let lookup = state.stores().tenants.tenant_by_slug(slug);
        remembered(self.by_slug.as_ref(), slug.as_str(), lookup).await
    }

    async fn by_domain(&self, state: &PortalState, host: &str) -> Result<Option<Tenant>, ApiError> {
        let lookup = state.stores().tenants.tenant_by_domain(host);
        remembered(self.by_domain.as_ref(), host, lookup).await
    }

    /// Drops what this cache remembers about `tenant` — as changed just now — so the next
    /// request reads it afresh: its slug and domains (also where they were remembered as not
    /// found, as a domain just added is) and every entry still holding the tenant (a domain
    /// just removed). Call it after every change to a tenant. Only this process's cache: other
    /// replicas catch up within the cache's time to live, as does a lookup that read the store
    /// just before the change and stores its answer just after.
    pub(crate) fn forget(&self, tenant: &Tenant) {
        if let Some(cache) = &self.by_slug {
            cache.invalidate(tenant.slug.as_str());
            forget_holding(cache, tenant);
        }
        if let Some(cache) = &self.by_domain {
            for domain in &tenant.domains {
                cache.invalidate(domain.as_str());
            }
            forget_holding(cache, tenant);
        }
    }
}

/// Drops every entry of `cache` that holds `tenant` (as it was before a change). A walk over at
/// most [`TENANT_CACHE_ENTRIES`] entries, only when a tenant changes.
fn forget_holding(cache: &Cache<String, Option<Tenant>>, tenant: &Tenant) {
    let holding: Vec<_> = cache
        .iter()
        .filter(|(_, held)| held.as_ref().is_some_and(|held| held.id == tenant.id))
        .map(|(key, _)| key)
        .collect();
    for key in holding {
        cache.invalidate(key.as_str());
    }
}

/// The tenant `cache` remembers for `key`, else what `lookup` finds (then remembered).
async fn remembered<E: Into<ApiError>>(
    cache: Option<&Cache<String, Option<Tenant>>>,
    key: &str,
    lookup: impl Future<Output = Result<Option<Tenant>, E>>,
) -> Result<Option<Tenant>, ApiError> {
    if let Some(found) = cache.and_then(|cache| cache.get(key)) {
        return Ok(found);
    }
    let found = lookup.await.map_err(Into::into)?;
    if let Some(cache) = cache {
        cache.insert(key.to_owned(), found.clone());
    }
    Ok(found)
}

/// The request's host, lower case, without a port.
fn host(request: &Request<Body>) -> Option<String> {
    let raw = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| request.uri().host())?;
    let without_port = match raw.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => raw,
    };
    Some(without_port.to_ascii_lowercase())
}

/// `/{slug}/rest…` → (`slug`, `/rest…`).
fn split_slug(path: &str) -> Option<(&str, &str)> {
    let trimmed = path.strip_prefix('/')?;
    match trimmed.find('/') {
        Some(at) => Some((&trimmed[..at], &trimmed[at..])),
        None => Some((trimmed, "/")),
    }
}

/// The URI with its path replaced by `path`, keeping the query.
fn strip(uri: &Uri, path: &str) -> Result<Uri, ApiError> {
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    Uri::builder()
        .path_and_query(path_and_query)
        .build()
        .map_err(|_| ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use portal_core::model::Branding;
    use portal_core::{DisplayName, HexColour, TenantId};
    use time::OffsetDateTime;

    use super::*;

    fn tenant(slug: &str, domains: &[&str]) -> Tenant {
        Tenant {
            id: TenantId::new(),
            slug: Slug::parse(slug).unwrap(),
            branding: Branding {
                display_name: DisplayName::parse("Acme").unwrap(),
                logo_url: None,
                favicon_url: None,
                primary_colour: HexColour::parse("#123456").unwrap(),
                accent_colour: HexColour::parse("#abcdef").unwrap(),
                font: None,
                custom_css: None,
                email_sender_name: None,
                email_sender_address: None,
                default_locale: None,
            },
            domains: domains.iter().map(|domain| (*domain).to_owned()).collect(),
            require_mfa_staff: false,
            require_mfa_contacts: false,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn forgetting_a_tenant_drops_its_slug_its_domains_and_whatever_still_holds_it() {
        let cache = TenantCache::new(Duration::from_secs(3600));
        let (Some(slugs), Some(domains)) = (&cache.by_slug, &cache.by_domain) else {
            panic!("a cache with a time to live remembers");
        };
        let before = tenant("acme", &["old.acme.example"]);
        let other = tenant("globex", &["portal.globex.example"]);
        slugs.insert("acme".to_owned(), Some(before.clone()));
        slugs.insert("globex".to_owned(), Some(other.clone()));
        domains.insert("old.acme.example".to_owned(), Some(before.clone()));
        // A domain looked up before it was added: remembered as nobody's.
        domains.insert("new.acme.example".to_owned(), None);
        domains.insert("portal.globex.example".to_owned(), Some(other.clone()));
        domains.insert("unknown.example".to_owned(), None);

        // The tenant as changed: the old domain removed, a new one added.
        let after = Tenant {
            domains: vec!["new.acme.example".to_owned()],
            ..before
        };
        cache.forget(&after);

        assert_eq!(slugs.get("acme"), None);
        assert_eq!(domains.get("old.acme.example"), None);
        assert_eq!(domains.get("new.acme.example"), None);
        assert_eq!(slugs.get("globex"), Some(Some(other.clone())));
        assert_eq!(domains.get("portal.globex.example"), Some(Some(other)));
        assert_eq!(domains.get("unknown.example"), Some(None));
    }

    #[test]
    fn slugs_split_off_the_path() {
        assert_eq!(split_slug("/acme/api/v1/me"), Some(("acme", "/api/v1/me")));
        assert_eq!(split_slug("/acme"), Some(("acme", "/")));
        assert_eq!(split_slug("acme"), None);
        let uri: Uri = "/acme/api/v1/projects?page=2".parse().unwrap();
        assert_eq!(
            strip(&uri, "/api/v1/projects").unwrap().to_string(),
            "/api/v1/projects?page=2"
        );
    }
}
