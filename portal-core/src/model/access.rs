use std::fmt;
use std::net::IpAddr;

use serde::Serialize;
use time::OffsetDateTime;

use crate::id::{
    ApiKeyId, ClientId, InvitationId, MembershipId, PasskeyId, ProjectId, RoleId, ShareLinkId,
    TenantId, UserId,
};
use crate::permission::{PermissionSet, Side};
use crate::scope::MembershipKind;
use crate::state::Sha256Digest;
use crate::validate::{DisplayName, Email};

/// A person with a login inside one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// The tenant.
    pub tenant: TenantId,
    /// Unique per tenant, lower case.
    pub email: Email,
    /// The name shown to others.
    pub name: DisplayName,
    /// Staff or client contact.
    pub side: Side,
    /// A disabled user cannot log in and has no sessions.
    pub disabled: bool,
    /// Preferred language (BCP 47 tag), if set: asked before the tenant's default and the
    /// browser's. Set through a [`LanguageTag`](crate::LanguageTag), so a stored one is well formed.
    pub locale: Option<String>,
    /// When the user last logged in.
    pub last_login_at: Option<OffsetDateTime>,
    /// When the user finished or dismissed the first-login tour; `None` while it is still due.
    pub tour_done_at: Option<OffsetDateTime>,
    /// When the user was created.
    pub created_at: OffsetDateTime,
    /// When the person's personal data was erased (the email is a pseudonym, the name
    /// "Erased contact"); `None` for everyone else.
    pub erased_at: Option<OffsetDateTime>,
}

/// What it takes to create a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Unique per tenant.
    pub email: Email,
    /// The name shown to others.
    pub name: DisplayName,
    /// Staff or contact.
    pub side: Side,
}

/// What a login checks: the user and the stored password hash (a PHC string), if one is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user.
    pub user: User,
    /// The argon2id PHC string, if the user has set a password.
    pub password_hash: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user.id)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// A membership as the team manages it: who, which role, which client (contacts) or which assigned
/// clients (staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembershipRecord {
    /// The membership's id.
    pub id: MembershipId,
    /// The tenant.
    pub tenant: TenantId,
    /// The member.
    pub user: UserId,
    /// The role held.
    pub role: RoleId,
    /// Staff (with assigned clients) or contact (with its client).
    #[serde(skip)]
    pub kind: MembershipKind,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// An invitation to join as a contact of a client, or as staff.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    /// The invitation's id.
    pub id: InvitationId,
    /// The tenant.
    pub tenant: TenantId,
    /// Who is invited.
    pub email: Email,
    /// The client to join, for a contact; `None` for staff.
    pub client: Option<ClientId>,
    /// The role to hold.
    pub role: RoleId,
    /// The SHA-256 of the single-use token.
    #[serde(skip)]
    pub token_hash: Sha256Digest,
    /// Who invited.
    pub invited_by: UserId,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// When it was accepted.
    pub accepted_at: Option<OffsetDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
    /// When it was created (or re-sent).
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for Invitation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Invitation")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("client", &self.client)
            .field("role", &self.role)
            .field("token_hash", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("accepted_at", &self.accepted_at)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

/// A login session: only the SHA-256 of its token is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// The SHA-256 of the session token.
    pub token_hash: Sha256Digest,
    /// The tenant.
    pub tenant: TenantId,
    /// The user.
    pub user: UserId,
    /// When it was created (at login).
    pub created_at: OffsetDateTime,
    /// When the user last authenticated (password, MFA or passkey), for step-up checks.
    pub authenticated_at: OffsetDateTime,
    /// When it was last used, for the idle timeout.
    pub last_seen_at: OffsetDateTime,
    /// The absolute end.
    pub expires_at: OffsetDateTime,
    /// The client address at login.
    pub ip: Option<IpAddr>,
    /// The browser at login, for the user's list of devices.
    pub user_agent: Option<String>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("token_hash", &"[redacted]")
            .field("tenant", &self.tenant)
            .field("user", &self.user)
            .field("last_seen_at", &self.last_seen_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The login-throttle counter of one key (an account or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failures counted in the current window.
    pub failures: u32,
    /// When the current window started.
    pub window_started_at: OffsetDateTime,
    /// No attempt is evaluated before this moment.
    pub blocked_until: Option<OffsetDateTime>,
}

/// An API key for integrations: a visible prefix plus a secret of which only the hash is stored.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// The key's id.
    pub id: ApiKeyId,
    /// The tenant.
    pub tenant: TenantId,
    /// What the team calls it.
    pub name: DisplayName,
    /// The visible prefix, to find the key and to recognise it in logs.
    pub prefix: String,
    /// The SHA-256 of the secret.
    #[serde(skip)]
    pub secret_hash: Sha256Digest,
    /// What the key may do.
    pub permissions: PermissionSet,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
    /// When it was last used.
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("prefix", &self.prefix)
            .field("secret_hash", &"[redacted]")
            .field("permissions", &self.permissions)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

/// What a share link shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ShareTarget {
    /// One project's shared content.
    Project(ProjectId),
}

/// What a share link lets its visitors do besides looking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ShareAccess {
    /// Download the files it lists.
    pub download: bool,
    /// Upload files into its project (needs `upload_documents` of whoever makes the link).
    pub upload: bool,
}

/// A no-login, expiring, revocable view of shared content, which may also take uploads.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct ShareLink {
    /// The link's id.
    pub id: ShareLinkId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client whose content it shows.
    pub client: ClientId,
    /// What it shows.
    pub target: ShareTarget,
    /// The SHA-256 of the link's token.
    #[serde(skip)]
    pub token_hash: Sha256Digest,
    /// Whether files may be downloaded through it.
    pub allow_download: bool,
    /// Whether visitors may upload files through it: each becomes an internal document of the
    /// project, for the team to review.
    pub allow_upload: bool,
    /// When it stops working (at most 90 days after creation).
    pub expires_at: OffsetDateTime,
    /// How many uses it allows, if limited.
    pub max_uses: Option<i32>,
    /// How often it was used.
    pub uses: i32,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

impl fmt::Debug for ShareLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShareLink")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("client", &self.client)
            .field("target", &self.target)
            .field("token_hash", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("uses", &self.uses)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

/// What it takes to invite someone. The caller made the token and passes only its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct NewInvitation {
    /// Who is invited.
    pub email: Email,
    /// The client to join as a contact; `None` to join the staff.
    pub client: Option<ClientId>,
    /// The role to hold: a client role for a contact, a staff role for staff.
    pub role: RoleId,
    /// The SHA-256 of the single-use token.
    pub token_hash: Sha256Digest,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

impl fmt::Debug for NewInvitation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewInvitation")
            .field("client", &self.client)
            .field("role", &self.role)
            .field("token_hash", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What the invited person supplies when accepting.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationAcceptance {
    /// The name to show, used when the accepting person has no account yet.
    pub name: DisplayName,
    /// The argon2id PHC string of the chosen password.
    pub password_hash: String,
}

impl fmt::Debug for InvitationAcceptance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvitationAcceptance")
            .field("name", &self.name)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

/// An accepted invitation: the (possibly new) user and the membership it created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedInvitation {
    /// The invitation, now accepted.
    pub invitation: Invitation,
    /// The user, created by the acceptance or found by its email.
    pub user: User,
    /// The new membership.
    pub membership: MembershipRecord,
}

/// What a single-use login token is for; a token of one purpose never serves another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginTokenPurpose {
    /// Setting a new password after "forgot password".
    PasswordReset,
    /// Logging in by a link sent by email.
    MagicLink,
    /// The second step of a login: the password (or magic link) was right and a second factor
    /// is due.
    MfaChallenge,
}

impl LoginTokenPurpose {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::MagicLink => "magic_link",
            Self::MfaChallenge => "mfa_challenge",
        }
    }

    /// The purpose with this stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "password_reset" => Some(Self::PasswordReset),
            "magic_link" => Some(Self::MagicLink),
            "mfa_challenge" => Some(Self::MfaChallenge),
            _ => None,
        }
    }
}

/// A user's TOTP (RFC 6238) second factor. The secret is stored sealed by the auth crate; storage
/// keeps it as opaque bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    /// The tenant.
    pub tenant: TenantId,
    /// The user.
    pub user: UserId,
    /// The sealed shared secret.
    pub sealed_secret: Vec<u8>,
    /// When the user proved the authenticator works; until then the factor is not in force.
    pub confirmed_at: Option<OffsetDateTime>,
    /// The last time step whose code was accepted: a code of this step or an earlier one is
    /// refused (replay).
    pub last_step: Option<u64>,
    /// When enrolment started.
    pub created_at: OffsetDateTime,
}

impl TotpEnrolment {
    /// Whether the factor is in force (the user proved the authenticator works).
    #[must_use]
    pub const fn is_confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

impl fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpEnrolment")
            .field("tenant", &self.tenant)
            .field("user", &self.user)
            .field("sealed_secret", &"[redacted]")
            .field("confirmed_at", &self.confirmed_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// A user's passkey: a WebAuthn credential that signs them in without a password. The credential
/// (public key, signature counter, flags) arrives serialised by the auth crate; storage keeps it
/// as opaque text. Holds no secret, yet its `Debug` leaves the credential out: it is long and
/// says nothing to a reader of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct PasskeyCredential {
    /// The passkey's id.
    pub id: PasskeyId,
    /// The tenant.
    pub tenant: TenantId,
    /// The user it signs in.
    pub user: UserId,
    /// What the user calls it ("Laptop", "Phone").
    pub name: DisplayName,
    /// The authenticator's credential id, unique within the tenant.
    pub credential_id: Vec<u8>,
    /// The serialised credential.
    pub credential: String,
    /// When it was registered.
    pub created_at: OffsetDateTime,
    /// When it last signed the user in.
    pub last_used_at: Option<OffsetDateTime>,
}

impl fmt::Debug for PasskeyCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasskeyCredential")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("user", &self.user)
            .field("name", &self.name)
            .field("created_at", &self.created_at)
            .field("last_used_at", &self.last_used_at)
            .finish_non_exhaustive()
    }
}

/// What it takes to store a new passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPasskey {
    /// What the user calls it.
    pub name: DisplayName,
    /// The authenticator's credential id (1–1023 bytes, as WebAuthn allows).
    pub credential_id: Vec<u8>,
    /// The serialised credential.
    pub credential: String,
}

impl NewPasskey {
    /// The most bytes a WebAuthn credential id may have.
    pub const MAX_CREDENTIAL_ID_BYTES: usize = 1023;
}

/// Which WebAuthn ceremony a stored ceremony state belongs to; one kind never finishes another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasskeyCeremonyKind {
    /// Registering a new passkey for a signed-in user.
    Registration,
    /// Signing in with a passkey (no user known yet).
    Authentication,
}

impl PasskeyCeremonyKind {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::Authentication => "authentication",
        }
    }
}

/// The server's half of a WebAuthn ceremony between its two requests: the challenge and what the
/// answer must match, serialised by the auth crate. Single use: taking it deletes it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPasskeyCeremony {
    /// The tenant whose login or account page began it.
    pub tenant: TenantId,
    /// The user registering a passkey; `None` for a sign-in.
    pub user: Option<UserId>,
    /// The ceremony.
    pub kind: PasskeyCeremonyKind,
    /// The serialised state.
    pub state: String,
    /// When it lapses.
    pub expires_at: OffsetDateTime,
}

impl fmt::Debug for NewPasskeyCeremony {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewPasskeyCeremony")
            .field("tenant", &self.tenant)
            .field("user", &self.user)
            .field("kind", &self.kind)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What it takes to create an API key. The caller made the secret and passes only its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct NewApiKey {
    /// What the team calls it.
    pub name: DisplayName,
    /// The visible prefix, unique across all tenants.
    pub prefix: String,
    /// The SHA-256 of the secret.
    pub secret_hash: Sha256Digest,
    /// What the key may do: staff permissions the creator holds.
    pub permissions: PermissionSet,
}

impl fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiKey")
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .field("secret_hash", &"[redacted]")
            .field("permissions", &self.permissions)
            .finish()
    }
}
