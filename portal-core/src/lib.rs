#![doc = include_str!("../README.md")]

mod authorize;
pub mod css;
mod error;
mod id;
mod matrix;
pub mod model;
mod permission;
mod role;
mod scope;
pub mod state;
pub mod validate;
mod visibility;

pub use authorize::{Decision, Denied, ResourceFacts, Rule, authorize, explain};
pub use error::{DomainError, Invalid};
pub use id::*;
pub use matrix::{MatrixRole, MatrixRow, PermissionMatrix, permissions_document};
pub use permission::{Audience, Effect, Permission, PermissionGroup, PermissionSet, Side};
pub use role::{BuiltinRole, Role};
pub use scope::{
    ClientFilter, ClientGrant, Membership, MembershipKind, Principal, ScopeError, TenantScope,
};
pub use state::{InvalidTransition, StateMachine};
pub use validate::{
    Currency, DateRange, DisplayName, Email, HexColour, HttpsUrl, LanguageTag, Money, Slug,
};
pub use visibility::{Sensitivity, Visibility};
