//! Telnyx webhook signatures: Ed25519 over `"{telnyx-timestamp}|{raw body}"`.
//!
//! The raw body is the bytes as received; re-serialised JSON would not verify. A signature
//! is checked before its age, so `Stale` means "genuine but too old or too new" (a replay,
//! or a clock off by minutes) and `Invalid` means "not signed by Telnyx's key".

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer};
/// Re-exported so callers need not depend on `ed25519-dalek` to hold a key.
pub use ed25519_dalek::{SigningKey, VerifyingKey};

pub const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
pub const TIMESTAMP_HEADER: &str = "telnyx-timestamp";
/// How far the timestamp may be from now, either way.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the `telnyx-signature-ed25519` or `telnyx-timestamp` header is missing")]
    MissingHeaders,
    #[error("the signature is not base64 of a 64-byte Ed25519 signature")]
    MalformedSignature,
    #[error("the timestamp is not a number of Unix seconds")]
    BadTimestamp,
    #[error("the timestamp is more than 300 seconds from now")]
    Stale,
    #[error("the signature does not verify with the configured public key")]
    Invalid,
}

impl SignatureError {
    /// A stable name for logs and the webhook-delivery record.
    pub fn code(self) -> &'static str {
        match self {
            SignatureError::MissingHeaders => "missing_headers",
            SignatureError::MalformedSignature => "malformed_signature",
            SignatureError::BadTimestamp => "bad_timestamp",
            SignatureError::Stale => "stale_timestamp",
            SignatureError::Invalid => "invalid_signature",
        }
    }
}

/// The bytes Telnyx signs.
pub fn signed_payload(timestamp: &str, raw_body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(timestamp.len() + 1 + raw_body.len());
    bytes.extend_from_slice(timestamp.as_bytes());
    bytes.push(b'|');
    bytes.extend_from_slice(raw_body);
    bytes
}

/// Checks a webhook's signature headers against Telnyx's public key at time `now`.
pub fn verify(
    public_key: &VerifyingKey,
    timestamp_header: Option<&str>,
    signature_header: Option<&str>,
    raw_body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (
        timestamp_header.map(str::trim).filter(|t| !t.is_empty()),
        signature_header.map(str::trim).filter(|s| !s.is_empty()),
    ) else {
        return Err(SignatureError::MissingHeaders);
    };
    let signature_bytes: [u8; 64] = STANDARD
        .decode(signature)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(SignatureError::MalformedSignature)?;
    let signature = Signature::from_bytes(&signature_bytes);
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    public_key
        .verify_strict(&signed_payload(timestamp, raw_body), &signature)
        .map_err(|_| SignatureError::Invalid)?;
    // `abs_diff` cannot overflow, whatever number the header carries.
    if seconds.abs_diff(now.timestamp()) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// [`verify`] with the headers of an actix request.
pub fn verify_headers(
    public_key: &VerifyingKey,
    headers: &actix_web::http::header::HeaderMap,
    raw_body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    verify(
        public_key,
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        raw_body,
        now,
    )
}

/// The `telnyx-signature-ed25519` value for `raw_body` sent at `timestamp` (Unix seconds).
pub fn sign(signing_key: &SigningKey, timestamp: i64, raw_body: &[u8]) -> String {
    let signature = signing_key.sign(&signed_payload(&timestamp.to_string(), raw_body));
    STANDARD.encode(signature.to_bytes())
}

/// A public key as the Telnyx portal shows it (base64 of 32 bytes).
pub fn public_key_base64(key: &VerifyingKey) -> String {
    STANDARD.encode(key.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"data":{"event_type":"message.received","id":"e1"}}"#;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).expect("valid time")
    }

    fn check(
        signing: &SigningKey,
        verifying: &VerifyingKey,
        signed_at: i64,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let signature = sign(signing, signed_at, BODY);
        verify(
            verifying,
            Some(&signed_at.to_string()),
            Some(&signature),
            body,
            now(),
        )
    }

    #[test]
    fn a_fresh_signature_verifies() {
        let signing = key(1);
        let t = now().timestamp();
        assert_eq!(check(&signing, &signing.verifying_key(), t, BODY), Ok(()));
        // The edges of the window are inside it.
        assert_eq!(
            check(&signing, &signing.verifying_key(), t - 300, BODY),
            Ok(())
        );
        assert_eq!(
            check(&signing, &signing.verifying_key(), t + 300, BODY),
            Ok(())
        );
    }

    #[test]
    fn a_tampered_body_or_another_key_is_invalid() {
        let signing = key(1);
        let t = now().timestamp();
        let tampered = br#"{"data":{"event_type":"message.received","id":"e2"}}"#;
        assert_eq!(
            check(&signing, &signing.verifying_key(), t, tampered),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            check(&signing, &key(2).verifying_key(), t, BODY),
            Err(SignatureError::Invalid)
        );
        // The timestamp is signed too: moving it breaks the signature.
        let signature = sign(&signing, t, BODY);
        assert_eq!(
            verify(
                &signing.verifying_key(),
                Some(&(t + 1).to_string()),
                Some(&signature),
                BODY,
                now()
            ),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn old_or_future_timestamps_are_stale() {
        let signing = key(1);
        let t = now().timestamp();
        assert_eq!(
            check(&signing, &signing.verifying_key(), t - 301, BODY),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            check(&signing, &signing.verifying_key(), t + 301, BODY),
            Err(SignatureError::Stale)
        );
        // An absurd but signed timestamp is stale, not a panic.
        assert_eq!(
            check(&signing, &signing.verifying_key(), i64::MIN, BODY),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn missing_headers_and_garbage_are_told_apart() {
        let verifying = key(1).verifying_key();
        let t = now().timestamp().to_string();
        let signature = sign(&key(1), now().timestamp(), BODY);
        let cases: [(Option<&str>, Option<&str>, SignatureError); 6] = [
            (None, Some(&signature), SignatureError::MissingHeaders),
            (Some(&t), None, SignatureError::MissingHeaders),
            (Some(""), Some(" "), SignatureError::MissingHeaders),
            (
                Some(&t),
                Some("not base64!"),
                SignatureError::MalformedSignature,
            ),
            (Some(&t), Some("AAAA"), SignatureError::MalformedSignature),
            (
                Some("yesterday"),
                Some(&signature),
                SignatureError::BadTimestamp,
            ),
        ];
        for (timestamp, signature, expected) in cases {
            assert_eq!(
                verify(&verifying, timestamp, signature, BODY, now()),
                Err(expected),
                "{timestamp:?} {signature:?}"
            );
        }
    }

    #[test]
    fn actix_headers_are_read() {
        use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
        let signing = key(3);
        let t = now().timestamp();
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static(TIMESTAMP_HEADER),
            HeaderValue::from_str(&t.to_string()).expect("header"),
        );
        headers.insert(
            HeaderName::from_static(SIGNATURE_HEADER),
            HeaderValue::from_str(&sign(&signing, t, BODY)).expect("header"),
        );
        assert_eq!(
            verify_headers(&signing.verifying_key(), &headers, BODY, now()),
            Ok(())
        );
        assert_eq!(
            verify_headers(&signing.verifying_key(), &HeaderMap::new(), BODY, now()),
            Err(SignatureError::MissingHeaders)
        );
    }

    #[test]
    fn the_public_key_reads_back_through_config() {
        let verifying = key(4).verifying_key();
        assert_eq!(
            crate::config::parse_public_key(&public_key_base64(&verifying)),
            Ok(verifying)
        );
    }
}
