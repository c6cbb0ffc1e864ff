//! API keys for integrations: `ptk_<prefix>_<secret>`. The 12-character prefix is visible (to find
//! the key and to recognise it in lists and logs); the 256-bit secret is shown once, and only its
//! SHA-256 is stored. A key acts for the member of staff who created it, never with more than
//! its own permissions nor more than that person holds now: if they lose access, so does the key.

use std::fmt;

use portal_core::model::{ApiKey, AuditContext, NewApiKey};
use portal_core::{ApiKeyId, DisplayName, PermissionSet, TenantScope};
use subtle::ConstantTimeEq as _;
use time::Duration;
use zeroize::Zeroizing;

use crate::error::AuthError;
use crate::login::Authenticator;
use crate::session::Authenticated;
use crate::step_up::require_recent_authentication;
use crate::token::{ApiKeySecret, random_bytes};

/// Every key starts with this, so secret scanners and people recognise it.
pub const API_KEY_MARKER: &str = "ptk_";
/// Characters in a key's visible prefix.
pub const API_KEY_PREFIX_CHARS: usize = 12;
/// A use is recorded at most this often per key, so busy integrations do not write on every call.
const USE_RECORDING_INTERVAL: Duration = Duration::minutes(1);
pub(crate) const PREFIX_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A key just created: the record and the full key, to show once. Redacted `Debug`.
pub struct IssuedApiKey {
    /// The stored key.
    pub key: ApiKey,
    secret: Zeroizing<String>,
}

impl IssuedApiKey {
    /// The whole key as the integration presents it (`ptk_<prefix>_<secret>`).
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for IssuedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedApiKey")
            .field("key", &self.key)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// A request authenticated by an API key.
#[derive(Debug)]
pub struct ApiKeyAuthenticated {
    /// The key.
    pub key: ApiKey,
    /// Its creator's scope, narrowed to the key's permissions.
    pub scope: TenantScope,
}

/// Creating, revoking and checking API keys.
#[derive(Debug, Clone)]
pub struct ApiKeys {
    auth: Authenticator,
}

impl ApiKeys {
    /// API keys of `auth`'s tenants.
    #[must_use]
    pub fn new(auth: &Authenticator) -> Self {
        Self { auth: auth.clone() }
    }

    /// Creates a key for the signed-in member of staff (a recent login required, SEC-20; the
    /// store checks `manage_api_keys` and that `permissions` are staff permissions they hold).
    pub async fn create(
        &self,
        who: &Authenticated,
        name: DisplayName,
        permissions: PermissionSet,
        audit: &AuditContext,
    ) -> Result<IssuedApiKey, AuthError> {
        require_recent_authentication(who, self.auth.config(), self.auth.now())?;
        let prefix = new_prefix()?;
        let secret = ApiKeySecret::generate().map_err(AuthError::Token)?;
        let key = self
            .auth
            .stores()
            .api_keys
            .create_api_key(
                &who.scope,
                NewApiKey {
                    name,
                    prefix: prefix.clone(),
                    secret_hash: secret.hash(),
                    permissions,
                },
                audit,
            )
            .await?;
        let secret = Zeroizing::new(format!(
            "{API_KEY_MARKER}{prefix}_{}",
            secret.expose_secret()
        ));
        Ok(IssuedApiKey { key, secret })
    }

    /// Revokes a key (`manage_api_keys`); it stops working at once.
    pub async fn revoke(
        &self,
        scope: &TenantScope,
        id: ApiKeyId,
        audit: &AuditContext,
    ) -> Result<ApiKey, AuthError> {
        Ok(self
            .auth
            .stores()
            .api_keys
            .revoke_api_key(scope, id, audit)
            .await?)
    }

    /// Checks a presented key: the scope it acts with. Malformed, unknown, wrong secret,
    /// revoked, or a creator without access now — all [`AuthError::InvalidApiKey`]. The caller
    /// must check that `scope.tenant_id()` is the tenant the request is addressed to.
    #[tracing::instrument(name = "auth.api_key", skip_all, fields(prefix))]
    pub async fn authenticate(&self, presented: &str) -> Result<ApiKeyAuthenticated, AuthError> {
        let (prefix, secret) = split(presented).ok_or(AuthError::InvalidApiKey)?;
        tracing::Span::current().record("prefix", prefix);
        let secret = ApiKeySecret::parse(secret).map_err(|_| AuthError::InvalidApiKey)?;
        let stores = self.auth.stores();
        let key = stores
            .api_keys
            .api_key_by_prefix(prefix)
            .await?
            .ok_or(AuthError::InvalidApiKey)?;
        let matches: bool = key
            .secret_hash
            .as_bytes()
            .ct_eq(secret.hash().as_bytes())
            .into();
        if !matches || key.revoked_at.is_some() {
            return Err(AuthError::InvalidApiKey);
        }
        let scope = self
            .auth
            .scope_of(key.tenant, key.created_by)
            .await?
            .filter(TenantScope::is_staff_side)
            .ok_or(AuthError::InvalidApiKey)?
            .restricted_to(key.permissions);
        let now = self.auth.now();
        if key
            .last_used_at
            .is_none_or(|last| now - last >= USE_RECORDING_INTERVAL)
        {
            stores
                .api_keys
                .record_api_key_use(key.tenant, key.id, now)
                .await?;
        }
        Ok(ApiKeyAuthenticated { key, scope })
    }

    /// [`authenticate`](Self::authenticate) for a request addressed to `tenant`: a key of another
    /// tenant is [`AuthError::InvalidApiKey`], like an unknown one.
    pub async fn authenticate_in(
        &self,
        tenant: portal_core::TenantId,
        presented: &str,
    ) -> Result<ApiKeyAuthenticated, AuthError> {
        let authenticated = self.authenticate(presented).await?;
        if authenticated.key.tenant == tenant {
            Ok(authenticated)
        } else {
            Err(AuthError::InvalidApiKey)
        }
    }
}

/// A new random prefix.
fn new_prefix() -> Result<String, AuthError> {
    let bytes = random_bytes::<API_KEY_PREFIX_CHARS>().map_err(AuthError::Token)?;
    Ok(bytes
        .iter()
        .map(|byte| char::from(PREFIX_ALPHABET[usize::from(byte & 0x1f)]))
        .collect())
}

/// `ptk_<prefix>_<secret>` → (prefix, secret).
pub(crate) fn split(presented: &str) -> Option<(&str, &str)> {
    let rest = presented.strip_prefix(API_KEY_MARKER)?;
    let prefix = rest.get(..API_KEY_PREFIX_CHARS)?;
    let secret = rest.get(API_KEY_PREFIX_CHARS..)?.strip_prefix('_')?;
    prefix
        .bytes()
        .all(|byte| PREFIX_ALPHABET.contains(&byte))
        .then_some((prefix, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_into_prefix_and_secret() {
        let prefix = new_prefix().unwrap();
        assert_eq!(prefix.len(), API_KEY_PREFIX_CHARS);
        let secret = ApiKeySecret::generate().unwrap();
        let key = format!("ptk_{prefix}_{}", secret.expose_secret());
        assert_eq!(split(&key), Some((prefix.as_str(), secret.expose_secret())));
        assert_eq!(split("ptk_short"), None);
        assert_eq!(split(&key.replacen("ptk_", "xyz_", 1)), None);
        assert_eq!(
            split(&format!("ptk_ABCDEFGHIJKL_{}", secret.expose_secret())),
            None
        );
        assert_eq!(
            split(&format!("ptk_{prefix}-{}", secret.expose_secret())),
            None
        );
        assert_eq!(split("ptk_ééééééé_x"), None);
    }
}
