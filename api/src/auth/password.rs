//! Password hashing with argon2id, and a login path that costs the same whether or not the
//! email exists (no timing oracle).

use std::sync::atomic::{AtomicU64, Ordering};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub const MIN_PASSWORD_LENGTH: usize = 8;
pub const MAX_PASSWORD_LENGTH: usize = 1024;

pub struct Passwords {
    argon2: Argon2<'static>,
    /// A real hash of a random password, verified against when the email is unknown.
    decoy_hash: String,
    verifications: AtomicU64,
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl Passwords {
    pub fn new() -> Result<Passwords, HashError> {
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
        })
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
}
