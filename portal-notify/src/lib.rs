#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dispatch;
pub mod mail;
pub mod webhook;
