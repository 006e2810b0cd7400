//! Password hashing with argon2id, and a login path that costs the same whether or not the
//! email exists (no timing oracle).
//!
//! Each hash or verification takes ~19 MiB and a core for a while, so only a bounded number
//! run at once (`PARLEY_HASH_CONCURRENCY`); a caller waits a short time for its turn
//! (`PARLEY_HASH_WAIT_MS`) and is then told the server is busy, instead of queueing without
//! bound and running the instance out of memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub const MIN_PASSWORD_LENGTH: usize = 8;
pub const MAX_PASSWORD_LENGTH: usize = 1024;
/// How long a caller that found every permit taken is told to wait before trying again.
pub const BUSY_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Hashes at once: twice the cores (argon2 is CPU-bound; a little queueing keeps them busy).
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |cores| cores.get() * 2)
}

pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);

pub struct Passwords {
    argon2: Argon2<'static>,
    /// A real hash of a random password, verified against when the email is unknown.
    decoy_hash: String,
    verifications: AtomicU64,
    permits: Arc<Semaphore>,
    wait: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("too many passwords are being checked at once")]
    Busy,
    #[error(transparent)]
    Hash(#[from] HashError),
}

impl Passwords {
    pub fn new() -> Result<Passwords, HashError> {
        Passwords::with_limits(default_concurrency(), DEFAULT_WAIT)
    }

    /// At most `concurrency` hashes at once; a caller waits at most `wait` for its turn.
    pub fn with_limits(concurrency: usize, wait: Duration) -> Result<Passwords, HashError> {
        let argon2 = Argon2::default();
        let decoy_secret = uuid::Uuid::new_v4().to_string();
        let salt = SaltString::generate(&mut OsRng);
        let decoy_hash = argon2
            .hash_password(decoy_secret.as_bytes(), &salt)
            .map_err(|e| HashError(e.to_string()))?
            .to_string();
        Ok(Passwords {
            argon2,
            decoy_hash,
            verifications: AtomicU64::new(0),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            wait,
        })
    }

    /// A turn to hash: waits at most the configured time.
    pub async fn permit(&self) -> Result<OwnedSemaphorePermit, PasswordError> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // Timed out, or the semaphore was closed (never done): busy either way.
            _ => Err(PasswordError::Busy),
        }
    }

    /// [`Passwords::hash`] on a blocking thread, within the concurrency bound.
    pub async fn hash_bounded(self: &Arc<Self>, password: String) -> Result<String, PasswordError> {
        let permit = self.permit().await?;
        let passwords = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            passwords.hash(&password)
        })
        .await
        .map_err(|error| HashError(error.to_string()))?
        .map_err(PasswordError::from)
    }

    /// [`Passwords::verify`] on a blocking thread, within the concurrency bound.
    pub async fn verify_bounded(
        self: &Arc<Self>,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, PasswordError> {
        let permit = self.permit().await?;
        let passwords = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            passwords.verify(&password, stored.as_deref())
        })
        .await
        .map_err(|error| PasswordError::Hash(HashError(error.to_string())))
    }

    pub fn hash(&self, password: &str) -> Result<String, HashError> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| HashError(e.to_string()))
    }

    /// Verifies `password` against `stored`, or against the decoy when there is no user, so
    /// both paths do one full argon2 verification.
    pub fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let hash_text = stored.unwrap_or(&self.decoy_hash);
        let matches = match PasswordHash::new(hash_text) {
            Ok(hash) => self
                .argon2
                .verify_password(password.as_bytes(), &hash)
                .is_ok(),
            Err(_) => false,
        };
        matches && stored.is_some()
    }

    /// How many full verifications ran: tests use it to prove both login paths do the work.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_and_counts_both_paths() {
        let passwords = Passwords::new().expect("hasher");
        let hash = passwords.hash("correct horse").expect("hash");
        assert!(passwords.verify("correct horse", Some(&hash)));
        assert!(!passwords.verify("wrong horse", Some(&hash)));
        assert!(!passwords.verify("correct horse", None));
        assert_eq!(passwords.verifications(), 3);
    }

    #[tokio::test]
    async fn a_caller_that_finds_every_permit_taken_is_told_busy() {
        let passwords =
            Arc::new(Passwords::with_limits(1, Duration::from_millis(50)).expect("hasher"));
        let held = passwords.permit().await.expect("the only permit");
        assert!(matches!(
            passwords.verify_bounded("x".into(), None).await,
            Err(PasswordError::Busy)
        ));
        assert!(matches!(
            passwords.hash_bounded("long enough".into()).await,
            Err(PasswordError::Busy)
        ));
        drop(held);
        assert!(!passwords.verify_bounded("x".into(), None).await.unwrap());
    }
}
