//! End-to-end tests: the real server on port 0, each test on its own database.

mod agent;
mod agent_provider;
mod auth;
mod browser;
mod cli;
mod contract;
mod conversations;
mod crash;
mod errors;
mod export;
mod feed;
mod guides;
mod inbound;
mod inbox;
mod login_throttle;
mod openapi;
mod ops;
mod outage;
mod outbox;
mod receipts;
mod retention;
mod revocation;
mod spa;
mod telnyx;
mod tenancy;
mod trust;
