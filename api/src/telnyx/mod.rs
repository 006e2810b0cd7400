//! Telnyx messaging: the wire types of its API and webhooks, webhook signature checks, the
//! HTTP client that sends messages, and the built-in carrier simulator that fakes Telnyx
//! for local runs and tests. `docs/TELNYX.md` holds the facts this code follows.

pub mod client;
pub mod signature;
pub mod simulator;
pub mod wire;

pub use client::{ClientError, SendError, TelnyxClient};
pub use signature::SignatureError;
pub use wire::{
    describe_error_code, DeliveryStatus, EventType, MessageRecord, SendMessageRequest,
    TelnyxErrorObject, WebhookEvent,
};
