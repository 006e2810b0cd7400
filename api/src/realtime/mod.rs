//! The real-time feed: every change the inbox shows is an event row, written in the same
//! transaction as the change, that subscribers read in id order. Each instance has one
//! listener (NOTIFY wakes it; the table is the truth) and a hub that fans events out to its
//! WebSocket sessions.

pub mod events;
pub mod hub;
pub mod listener;
pub mod ws;
