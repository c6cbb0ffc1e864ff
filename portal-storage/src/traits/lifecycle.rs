//! What ending a client's engagement did: the answers of
//! [`ClientStore::offboard_client`](super::ClientStore::offboard_client) and
//! [`ClientStore::erase_client`](super::ClientStore::erase_client).

use portal_core::UserId;
use portal_core::model::Client;
use serde::Serialize;

/// What offboarding a client did. Offboarding a client already offboarded does nothing and
/// answers the client with empty lists and zero counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OffboardReport {
    /// The client as stored now: archived, with `offboarded_at` set.
    pub client: Client,
    /// The client's contacts whose access ended.
    pub contacts: Vec<UserId>,
    /// Of those, the contacts of another active client too: they keep that access and their
    /// sessions.
    pub contacts_kept: Vec<UserId>,
    /// Sessions ended (of the contacts with no other active client).
    pub sessions_ended: u64,
    /// Pending invitations to the client revoked.
    pub invitations_revoked: u64,
    /// Share links to the client's objects revoked.
    pub share_links_revoked: u64,
}

/// What erasing an offboarded client's personal data did. Erasing a client already erased does
/// nothing and answers the client with empty lists and zero counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErasureReport {
    /// The client as stored now, with `erased_at` set.
    pub client: Client,
    /// The contacts whose personal data was erased: under a pseudonym, disabled, without
    /// credentials, sessions or notifications.
    pub contacts_erased: Vec<UserId>,
    /// The contacts also at another client that is not offboarded: they lost only their
    /// membership of this client.
    pub contacts_kept: Vec<UserId>,
    /// The client's invitations whose email was replaced by a pseudonym.
    pub invitations_pseudonymised: u64,
    /// Pending mail to the erased people (invitations, security notices) dropped.
    pub mails_dropped: u64,
    /// Audit events whose personal facts were erased.
    pub audit_events_erased: u64,
    /// Audit events about them written before hash version 2: left as they are, since erasing
    /// their facts would break the chain.
    pub audit_events_version_1_kept: u64,
}
