//! Time comes in through the application state so tests can move it (resumption windows,
//! retries, token expiry) without sleeping.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

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
    /// Moves the clock so that it reads `at` now (and runs on from there).
    pub fn set(&self, at: DateTime<Utc>) {
        let mut offset = self
            .offset
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        *offset = at - Utc::now();
    }

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
