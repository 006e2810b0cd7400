//! Slows password guessing: after too many failed sign-ins for one email within a window,
//! further attempts are refused (429) until the window passes, without checking the password.
//! Counted per instance; a guesser spread over instances gets a few more tries, no more.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    fn key(email: &str) -> String {
        email.trim().to_lowercase()
    }

    /// `Some(wait)` when this email must wait before trying again.
    pub fn check(&self, email: &str) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let (count, since) = failures.get(&Self::key(email))?;
        let elapsed = since.elapsed();
        (*count >= MAX_FAILURES && elapsed < WINDOW).then(|| WINDOW - elapsed)
    }

    pub fn failed(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Forget old windows so the map stays small.
        failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
        let entry = failures
            .entry(Self::key(email))
            .or_insert((0, Instant::now()));
        entry.0 += 1;
    }

    pub fn succeeded(&self, email: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&Self::key(email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_too_many_failures_and_forgets_on_success() {
        let throttle = LoginThrottle::default();
        for _ in 0..MAX_FAILURES {
            assert!(throttle.check("A@x.test").is_none());
            throttle.failed("a@x.test");
        }
        assert!(throttle.check("a@X.test").is_some());
        assert!(throttle.check("other@x.test").is_none());
        throttle.succeeded("a@x.test");
        assert!(throttle.check("a@x.test").is_none());
    }
}
