#![doc = include_str!("../README.md")]

pub use portal_core::TenantScope;
