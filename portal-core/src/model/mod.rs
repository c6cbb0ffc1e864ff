//! The records the portal stores: tenants, people, the work, its content, money, access and the
//! audit log. Storage returns them; the HTTP layer shapes them for each audience.
//!
//! Records carry their `tenant` (and, for client-facing objects, their `client`), so
//! [`facts`](Record::facts) can hand `authorize` what it needs without another lookup.

mod access;
mod audit;
mod content;
mod finance;
mod notify;
mod outbox;
mod tenant;
mod work;

pub use access::{
    AcceptedInvitation, ApiKey, Credentials, Invitation, InvitationAcceptance, LoginTokenPurpose,
    MembershipRecord, NewApiKey, NewInvitation, NewPasskey, NewPasskeyCeremony, NewUser,
    PasskeyCeremonyKind, PasskeyCredential, Session, ShareAccess, ShareLink, ShareTarget,
    ThrottleState, TotpEnrolment, User,
};
pub use audit::{
    Actor, AuditContext, AuditEvent, AuditOutcome, ChainBreak, HashVersion, NewAuditEvent,
    ObjectRef, PersonalSalt, personal_digest, verify_chain,
};
pub use content::{
    Decision, Document, DocumentVersion, Message, NewDecision, NewDocument, NewDocumentVersion,
    NewMessage, NewRequest, NewTask, NewUpdate, Request, Task, TaskOwner, Thread, ThreadSubject,
    Update,
};
pub use finance::{Invoice, InvoiceInput};
pub use notify::{
    DeliveryAttempt, DeliveryStatus, EventType, MAX_WEBHOOK_DESCRIPTION_CHARS,
    MAX_WEBHOOK_URL_BYTES, MailMode, MailPreference, MailState, NewNotification, Notification,
    WebhookDelivery, WebhookEndpoint, WebhookEndpointInput,
};
pub use outbox::{OutboxEvent, OutboxStatus};
pub use tenant::{Branding, Client, ClientInput, NewTenant, Tenant};
pub use work::{
    Approval, ApprovalRequest, Deliverable, DeliverableInput, Milestone, MilestoneInput, Project,
    ProjectInput, ProjectStatus,
};

use crate::authorize::ResourceFacts;

/// A stored object that belongs to one client of one tenant.
pub trait Record {
    /// The facts `authorize` needs about this object.
    fn facts(&self) -> ResourceFacts;
}

/// Implements [`Record`] for client-facing records with `tenant`, `client` and `visibility` fields.
macro_rules! client_record {
    ($($ty:ty),+ $(,)?) => {$(
        impl $crate::model::Record for $ty {
            fn facts(&self) -> $crate::ResourceFacts {
                $crate::ResourceFacts::of_client(self.tenant, self.client, self.visibility)
            }
        }
    )+};
}
pub(crate) use client_record;
