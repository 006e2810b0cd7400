//! Parley: one-on-one SMS conversations between a business and its customers, with an AI
//! assistant. This crate is the service (behind the `server` feature, on by default) and the
//! parts the wasm SPA shares with it: the wire types and the SMS segment counter.

pub mod sms;
pub mod wire;

/// Modules of the service itself, left out of the wasm build.
macro_rules! server_modules {
    ($($module:ident),* $(,)?) => {
        $(#[cfg(feature = "server")] pub mod $module;)*
    };
}

server_modules!(
    api_keys,
    app,
    assistants,
    auth,
    cli,
    clients,
    clock,
    conversations,
    config,
    db,
    demo,
    error,
    extract,
    inbound,
    jobs,
    messages,
    openapi,
    opt_outs,
    ops,
    phone,
    phone_numbers,
    realtime,
    spa,
    telnyx,
    tenants,
    users,
    webhooks,
);
