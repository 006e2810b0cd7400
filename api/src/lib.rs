//! Parley: one-on-one SMS conversations between a business and its customers, with an AI
//! assistant. This crate is the service (behind the `server` feature, on by default) and the
//! parts the wasm SPA shares with it: the wire types and the SMS segment counter.

pub mod sms;
pub mod wire;

// The service itself; the wasm build of the SPA takes only `sms` and `wire`.
#[cfg(feature = "server")]
pub mod agent;
#[cfg(feature = "server")]
pub mod api_keys;
#[cfg(feature = "server")]
pub mod app;
#[cfg(feature = "server")]
pub mod assistants;
#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod cli;
#[cfg(feature = "server")]
pub mod clients;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod conversations;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod demo;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod extract;
#[cfg(feature = "server")]
pub mod inbound;
#[cfg(feature = "server")]
pub mod jobs;
#[cfg(feature = "server")]
pub mod messages;
#[cfg(feature = "server")]
pub mod openapi;
#[cfg(feature = "server")]
pub mod ops;
#[cfg(feature = "server")]
pub mod opt_outs;
#[cfg(feature = "server")]
pub mod phone;
#[cfg(feature = "server")]
pub mod phone_numbers;
#[cfg(feature = "server")]
pub mod realtime;
#[cfg(feature = "server")]
pub mod spa;
#[cfg(feature = "server")]
pub mod telnyx;
#[cfg(feature = "server")]
pub mod tenants;
#[cfg(feature = "server")]
pub mod users;
#[cfg(feature = "server")]
pub mod webhooks;
