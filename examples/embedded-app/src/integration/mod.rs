//! What Harbour added to embed the portal: its sign-in mapped in ([`identity`]), the portal's
//! tenant, clients and people made through the store traits ([`provision`]), its work fed through
//! the sync apply path ([`feed`]), and a mailer for the demo ([`mail`]).

pub mod feed;
pub mod identity;
pub mod mail;
pub mod provision;
