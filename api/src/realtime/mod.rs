//! The real-time feed: every change the inbox shows is an event row, written in the same
//! transaction as the change, that subscribers read in id order.

pub mod events;
