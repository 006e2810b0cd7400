//! The signed, expiring links under which Telnyx fetches the media we send
//! (`/media/{id}?expires=…&signature=…`).

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::MediaId;

/// Signs and checks the expiring links under which Telnyx fetches our outbound media
/// (`/media/{id}?expires=…&signature=…`): HMAC-SHA256 over the id and the expiry, with a key
/// derived from the server's secret.
#[derive(Clone)]
pub struct MediaLinks {
    key: Vec<u8>,
    ttl: chrono::Duration,
}

type HmacSha256 = Hmac<Sha256>;

impl MediaLinks {
    pub fn new(secret: &[u8], ttl: std::time::Duration) -> MediaLinks {
        // A key of its own, so a media link can never stand for an access token.
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(b"parley media links v1");
        MediaLinks {
            key: mac.finalize().into_bytes().to_vec(),
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(24)),
        }
    }

    fn mac(&self, id: MediaId, expires: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{id}:{expires}").as_bytes());
        mac
    }

    /// The path and query of a link valid until `now` plus the links' lifetime.
    pub fn sign(&self, id: MediaId, now: DateTime<Utc>) -> String {
        let expires = (now + self.ttl).timestamp();
        let signature = hex::encode(self.mac(id, expires).finalize().into_bytes());
        format!("/media/{id}?expires={expires}&signature={signature}")
    }

    pub fn verify(&self, id: MediaId, expires: i64, signature: &str, now: DateTime<Utc>) -> bool {
        if expires < now.timestamp() {
            return false;
        }
        let Ok(signature) = hex::decode(signature.trim()) else {
            return false;
        };
        self.mac(id, expires).verify_slice(&signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_expire_and_cannot_be_forged() {
        let links = MediaLinks::new(
            b"0123456789abcdef0123456789abcdef",
            std::time::Duration::from_secs(60),
        );
        let now = Utc::now();
        let id = MediaId::random();
        let link = links.sign(id, now);
        let query = link.split_once('?').expect("query").1;
        let mut expires = 0;
        let mut signature = String::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("expires", value)) => expires = value.parse().expect("number"),
                Some(("signature", value)) => signature = value.to_string(),
                _ => {}
            }
        }
        assert!(links.verify(id, expires, &signature, now));
        assert!(
            !links.verify(id, expires + 1, &signature, now),
            "another expiry"
        );
        assert!(
            !links.verify(MediaId::random(), expires, &signature, now),
            "another id"
        );
        assert!(!links.verify(id, expires, "00", now));
        assert!(!links.verify(id, expires, "not hex", now));
        assert!(!links.verify(id, expires, &signature, now + chrono::Duration::seconds(61)));
        let other = MediaLinks::new(
            b"another secret another secret ab",
            std::time::Duration::from_secs(60),
        );
        assert!(!other.verify(id, expires, &signature, now));
    }
}
