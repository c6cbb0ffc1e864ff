//! Where webhooks may be delivered: a defence against server-side request forgery.
//!
//! An endpoint URL is chosen by a tenant's admin, so by default deliveries go over HTTPS only and
//! never to an address inside the server's own network (loopback, private, link-local,
//! unique-local, multicast…). The check runs on every address a name resolves to, at connect
//! time, so a name that later resolves elsewhere (DNS rebinding) is caught too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use url::Url;

/// Which destinations deliveries may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DestinationPolicy {
    /// Allow plain `http://` endpoints (for local development and tests).
    pub allow_http: bool,
    /// Allow loopback, private, link-local, unique-local and multicast addresses (for local
    /// development and tests).
    pub allow_private: bool,
}

/// Why a destination was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DestinationError {
    /// The URL's scheme is not allowed (only `https`, or `http` when allowed).
    #[error("destination refused: scheme `{0}` is not allowed")]
    Scheme(String),
    /// The URL has no host.
    #[error("destination refused: the url has no host")]
    NoHost,
    /// The host is, or resolves to, an address inside a private network.
    #[error("destination refused: {host} is the non-public address {address}")]
    NonPublicAddress {
        /// The host as the URL names it.
        host: String,
        /// The address it is or resolved to.
        address: IpAddr,
    },
    /// The host name did not resolve.
    #[error("destination refused: {host} does not resolve ({reason})")]
    Unresolvable {
        /// The host as the URL names it.
        host: String,
        /// What the resolver said.
        reason: String,
    },
}

impl DestinationPolicy {
    /// HTTPS to public addresses only: the default.
    #[must_use]
    pub const fn public_https() -> Self {
        Self {
            allow_http: false,
            allow_private: false,
        }
    }

    /// Anything goes: plain HTTP and private addresses, for development and tests only.
    #[must_use]
    pub const fn permissive() -> Self {
        Self {
            allow_http: true,
            allow_private: true,
        }
    }

    /// Checks what can be checked without DNS: the scheme, and the host when it is an address.
    /// Also useful when an endpoint is registered, to refuse it early.
    ///
    /// # Errors
    /// The [`DestinationError`] that names what is not allowed.
    pub fn check_url(&self, url: &Url) -> Result<(), DestinationError> {
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            other => return Err(DestinationError::Scheme(other.to_owned())),
        }
        let host = url.host().ok_or(DestinationError::NoHost)?;
        let address = match host {
            url::Host::Domain(_) => return Ok(()),
            url::Host::Ipv4(address) => IpAddr::V4(address),
            url::Host::Ipv6(address) => IpAddr::V6(address),
        };
        self.check_address(&host.to_string(), address)
    }

    /// Checks one address `host` is or resolved to.
    ///
    /// # Errors
    /// [`DestinationError::NonPublicAddress`] when private addresses are not allowed and this
    /// is one.
    pub fn check_address(&self, host: &str, address: IpAddr) -> Result<(), DestinationError> {
        if self.allow_private || is_public(address) {
            Ok(())
        } else {
            Err(DestinationError::NonPublicAddress {
                host: host.to_owned(),
                address,
            })
        }
    }
}

/// Whether `address` is reachable on the public internet, as far as the address itself says.
#[must_use]
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, ..] = address.octets();
    !(address.is_unspecified()
        || address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_multicast()
        || address.is_broadcast()
        || address.is_documentation()
        // "This network" 0.0.0.0/8, carrier-grade NAT 100.64.0.0/10, IETF 192.0.0.0/24,
        // benchmarking 198.18.0.0/15, reserved 240.0.0.0/4.
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && address.octets()[2] == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let first = address.segments()[0];
    !(address.is_unspecified()
        || address.is_loopback()
        || address.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // Documentation 2001:db8::/32.
        || (first == 0x2001 && address.segments()[1] == 0x0db8))
}

/// The resolver webhook deliveries use: the system resolver (through tokio), with every
/// address checked against the policy before any connection is made.
#[derive(Debug, Clone)]
pub(crate) struct CheckedResolver {
    pub(crate) policy: DestinationPolicy,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|error| DestinationError::Unresolvable {
                    host: host.clone(),
                    reason: error.to_string(),
                })?;
            let addresses: Vec<_> = resolved.collect();
            if addresses.is_empty() {
                return Err(DestinationError::Unresolvable {
                    host,
                    reason: "no addresses".to_owned(),
                }
                .into());
            }
            // Every address must pass: the connector may pick any of them.
            for address in &addresses {
                policy.check_address(&host, address.ip())?;
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl CheckedResolver {
    /// The resolver, shared by the client.
    pub(crate) fn shared(policy: DestinationPolicy) -> Arc<Self> {
        Arc::new(Self { policy })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip(internal)), "{internal}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[test]
    fn urls_are_checked_for_scheme_and_literal_addresses() {
        let strict = DestinationPolicy::default();
        let url = |text: &str| Url::parse(text).unwrap();
        assert_eq!(
            strict.check_url(&url("https://hooks.example.com/in")),
            Ok(())
        );
        assert_eq!(
            strict.check_url(&url("http://hooks.example.com/in")),
            Err(DestinationError::Scheme("http".to_owned()))
        );
        assert_eq!(
            strict.check_url(&url("ftp://hooks.example.com/in")),
            Err(DestinationError::Scheme("ftp".to_owned()))
        );
        assert!(matches!(
            strict.check_url(&url("https://127.0.0.1/in")),
            Err(DestinationError::NonPublicAddress { .. })
        ));
        assert!(matches!(
            strict.check_url(&url("https://[::1]/in")),
            Err(DestinationError::NonPublicAddress { .. })
        ));
        let open = DestinationPolicy::permissive();
        assert_eq!(open.check_url(&url("http://127.0.0.1:8080/in")), Ok(()));
    }
}
