//! The real-time feed: every change the inbox shows is an event row, written in the same
//! transaction as the change, that subscribers read in id order. Each instance has one
//! listener (NOTIFY wakes it; the table is the truth) and a hub that fans events out to its
//! WebSocket sessions. Revoking a key or removing a user closes that principal's sessions on
//! every instance (see [`revocations`]).

pub mod events;
pub mod hub;
pub mod listener;
pub mod revocations;
pub mod ws;
