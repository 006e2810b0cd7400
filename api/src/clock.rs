//! Time comes in through the application state so tests can move it (resumption windows,
//! retries, token expiry) without sleeping.

use std::sync::Mutex;

use chrono::{DateTime, Datelike, Duration, Utc};

/// The years a time we are given may fall in: what people mean, and what PostgreSQL stores
/// and chrono computes with. A time outside them is bad input, never a value to store.
pub const ACCEPTED_YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// Whether `at` falls in [`ACCEPTED_YEARS`].
pub fn in_accepted_years(at: &impl Datelike) -> bool {
    ACCEPTED_YEARS.contains(&at.year())
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The wall clock shifted by an offset that tests can advance.
#[derive(Default)]
pub struct ShiftedClock {
    offset: Mutex<Duration>,
}

impl ShiftedClock {
    pub fn advance(&self, by: Duration) {
        let mut offset = self
            .offset
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        *offset += by;
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        let offset = *self
            .offset
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        Utc::now() + offset
    }
}
