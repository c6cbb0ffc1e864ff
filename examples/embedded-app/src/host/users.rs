//! Harbour's own user table: who may sign in, with which role. Kept in memory and filled from a
//! fixed demo set; a real product keeps it in its database. Passwords are argon2id hashes made
//! with `portal_auth`'s hasher, which any host may use for its own login.

use std::fmt;
use std::sync::Arc;

use portal_auth::password::{Password, PasswordError, PasswordHasher, Verification};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "harbour-demo-password";

/// A Harbour user's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HostUserId(pub u32);

/// What a user does in Harbour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostRole {
    /// Runs the workspace.
    Admin,
    /// Works on the projects.
    Member,
    /// Works on a few tasks; never talks to customers.
    Contractor,
    /// A customer's person, invited into the workspace as a guest.
    Guest {
        /// The customer's id in Harbour (see [`Customer`](super::workspace::Customer)).
        customer: String,
        /// The customer's lead, who signs off and pays; other guests only follow along.
        lead: bool,
    },
}

impl HostRole {
    /// The role as the home page and the start-up banner show it.
    #[must_use]
    pub const fn title(&self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Contractor => "contractor",
            Self::Guest { lead: true, .. } => "customer lead",
            Self::Guest { lead: false, .. } => "customer guest",
        }
    }
}

/// One Harbour user.
#[derive(Clone)]
pub struct HostUser {
    /// The id.
    pub id: HostUserId,
    /// The address the user signs in with, lower case. Harbour verified it when the user joined,
    /// which is what makes it safe to map into the portal by email.
    pub email: String,
    /// The name shown.
    pub name: String,
    /// What the user does.
    pub role: HostRole,
    password_hash: String,
}

impl fmt::Debug for HostUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostUser")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

/// The demo users: name, email and role.
fn demo_set() -> [(&'static str, &'static str, HostRole); 5] {
    let guest = |customer: &str, lead| HostRole::Guest {
        customer: customer.to_owned(),
        lead,
    };
    [
        ("Nina Park", "nina@brightwater.example", HostRole::Admin),
        ("Omar Haddad", "omar@brightwater.example", HostRole::Member),
        (
            "Felix Bauer",
            "felix@brightwater.example",
            HostRole::Contractor,
        ),
        ("Dana Cole", "dana@acme.example", guest("cust-acme", true)),
        (
            "Sam Ortiz",
            "sam@globex.example",
            guest("cust-globex", true),
        ),
    ]
}

/// Every Harbour user. Clones share one table.
#[derive(Clone)]
pub struct HostUsers {
    users: Arc<[HostUser]>,
    hasher: PasswordHasher,
}

impl HostUsers {
    /// The demo users, each with [`DEMO_PASSWORD`] hashed by `hasher` (with its own salt).
    ///
    /// # Errors
    /// When hashing fails.
    pub async fn demo(hasher: PasswordHasher) -> Result<Self, PasswordError> {
        let mut users = Vec::new();
        for (number, (name, email, role)) in (1..).zip(demo_set()) {
            users.push(HostUser {
                id: HostUserId(number),
                email: email.to_owned(),
                name: name.to_owned(),
                role,
                password_hash: hasher.hash(Password::from(DEMO_PASSWORD)).await?,
            });
        }
        Ok(Self {
            users: users.into(),
            hasher,
        })
    }

    /// Every user.
    #[must_use]
    pub fn all(&self) -> &[HostUser] {
        &self.users
    }

    /// The user with this id.
    #[must_use]
    pub fn by_id(&self, id: HostUserId) -> Option<&HostUser> {
        self.users.iter().find(|user| user.id == id)
    }

    /// The user with this email (any case).
    #[must_use]
    pub fn by_email(&self, email: &str) -> Option<&HostUser> {
        let email = email.trim();
        self.users
            .iter()
            .find(|user| user.email.eq_ignore_ascii_case(email))
    }

    /// The user these credentials open, if any. An unknown email costs the same hashing work as
    /// a wrong password, so timing does not tell which users exist.
    ///
    /// # Errors
    /// When hashing fails, or the password is over the hasher's size limit.
    pub async fn sign_in(
        &self,
        email: &str,
        password: Password,
    ) -> Result<Option<&HostUser>, PasswordError> {
        let Some(user) = self.by_email(email) else {
            let _invalid = self.hasher.dummy_verify(password).await?;
            return Ok(None);
        };
        match self.hasher.verify(password, &user.password_hash).await? {
            Verification::Valid { .. } => Ok(Some(user)),
            Verification::Invalid => Ok(None),
        }
    }
}

impl fmt::Debug for HostUsers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostUsers")
            .field("users", &self.users)
            .finish_non_exhaustive()
    }
}
