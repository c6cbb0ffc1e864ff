//! Harbour itself, as it was before the portal came: its users and their sign-in, its
//! sessions, its project data and its pages. Nothing here uses the portal's router or stores:
//! it borrows `portal_auth`'s password hasher and random tokens, and its home page links to the
//! portal.

pub mod routes;
pub mod sessions;
pub mod users;
pub mod workspace;

use std::sync::Arc;

use sessions::HostSessions;
use users::HostUsers;
use workspace::Workspace;

/// What Harbour's own routes share. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Host {
    /// Who may sign in.
    pub users: HostUsers,
    /// Who is signed in.
    pub sessions: HostSessions,
    /// The workspace's data.
    pub workspace: Arc<Workspace>,
    /// Whether the session cookie is `Secure` (served over https).
    pub secure_cookies: bool,
}
