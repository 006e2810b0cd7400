//! Parley: one-on-one SMS conversations between a business and its customers, with an AI
//! assistant. This crate is the service (behind the `server` feature, on by default) and the
//! parts the wasm SPA shares with it: the wire types and the SMS segment counter.

pub mod sms;
pub mod wire;

#[cfg(feature = "server")]
pub mod app;
#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod cli;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod ops;
#[cfg(feature = "server")]
pub mod openapi;
#[cfg(feature = "server")]
pub mod tenants;
#[cfg(feature = "server")]
pub mod demo;
