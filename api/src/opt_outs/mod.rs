//! Opted-out numbers: a customer who sent STOP gets nothing from the tenant until START.

pub mod routes;
pub mod storage;
