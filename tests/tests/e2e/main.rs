//! End-to-end tests: the real server on port 0, each test on its own database.

mod auth;
mod browser;
mod cli;
mod errors;
mod openapi;
mod ops;
mod telnyx;
mod tenancy;
