//! Access tokens: HS256 JWTs carrying the user, tenant and role, checked against our clock.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::ids::{TenantId, UserId};
use crate::wire::Role;

pub const ISSUER: &str = "parley";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The user.
    pub sub: UserId,
    /// The user's tenant.
    pub tid: TenantId,
    pub role: Role,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: chrono::Duration,
}

impl Tokens {
    pub fn new(secret: &[u8], ttl: std::time::Duration) -> Tokens {
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(8)),
        }
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl.num_seconds()
    }

    pub fn issue(
        &self,
        user_id: UserId,
        tenant_id: TenantId,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let claims = Claims {
            sub: user_id,
            tid: tenant_id,
            role,
            iss: ISSUER.to_string(),
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| TokenError::Invalid)
    }

    /// Checks signature, algorithm (HS256 only: `alg: none` and others are refused), issuer,
    /// and expiry against `now` (our clock, not the library's).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_exp = false;
        let claims = decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn tokens() -> Tokens {
        Tokens::new(
            b"0123456789abcdef0123456789abcdef",
            std::time::Duration::from_secs(3600),
        )
    }

    #[test]
    fn round_trip_and_expiry() {
        let tokens = tokens();
        let now = Utc::now();
        let token = tokens
            .issue(UserId::random(), TenantId::random(), Role::Admin, now)
            .expect("issue");
        assert!(tokens.verify(&token, now).is_ok());
        assert_eq!(
            tokens.verify(&token, now + chrono::Duration::seconds(3601)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn other_secret_and_alg_none_are_refused() {
        let now = Utc::now();
        let other = Tokens::new(
            b"another-secret-another-secret-xx",
            std::time::Duration::from_secs(3600),
        );
        let token = other
            .issue(UserId::random(), TenantId::random(), Role::Admin, now)
            .expect("issue");
        assert_eq!(tokens().verify(&token, now), Err(TokenError::Invalid));

        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = token.split('.').nth(1).expect("payload");
        let unsigned = format!(
            "{}.{}.",
            engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
            payload
        );
        assert_eq!(tokens().verify(&unsigned, now), Err(TokenError::Invalid));
    }
}
