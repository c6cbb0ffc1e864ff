//! Who may see an object: the team only, or the client too; and which fields are money.

use serde::{Deserialize, Serialize};

/// Whether a client-facing object is published to the client.
///
/// Everything starts [`Internal`](Self::Internal); publishing is an explicit act that needs
/// [`Permission::Publish`](crate::Permission::Publish).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Staff only: drafts, internal notes, risks, finance details.
    #[default]
    Internal,
    /// Published to the client.
    Shared,
}

impl Visibility {
    /// Whether the object is published to the client.
    #[must_use]
    pub const fn is_shared(self) -> bool {
        matches!(self, Self::Shared)
    }
}

/// What kind of data a field (or a whole object) holds, for field-level rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// Readable by anyone who may read the object.
    #[default]
    Ordinary,
    /// Money: budgets, amounts and rates. Readable only with
    /// [`Permission::ViewFinancials`](crate::Permission::ViewFinancials).
    Finance,
}
