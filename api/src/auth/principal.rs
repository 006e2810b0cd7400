//! Who stands behind a request or a feed session: a user or an API key. A leaf, so that the
//! feed hub and the revocation of keys and users can name principals without depending on
//! how callers are authenticated.

use crate::ids::{ApiKeyId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    User(UserId),
    ApiKey(ApiKeyId),
}
