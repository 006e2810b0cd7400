//! Typed ids: a UUID that knows what it names, so that `find(conn, tenant_id, id)` cannot be
//! called with its arguments swapped. Each travels as a plain UUID string (JSON, paths) and
//! is stored as a `uuid` column; the SPA shares them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            ToSchema,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "server", derive(diesel_derive_newtype::DieselNewType))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random (v4) id.
            pub fn random() -> Self {
                $name(Uuid::new_v4())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::from_str(text).map($name)
            }
        }
    )+};
}

id_type! {
    /// A business using Parley.
    TenantId;
    /// A person of a tenant who signs in.
    UserId;
    /// An API key of a tenant.
    ApiKeyId;
    /// One of a tenant's Telnyx numbers.
    PhoneNumberId;
    /// A conversation with one customer.
    ConversationId;
    /// A message of a conversation.
    MessageId;
    /// An AI assistant (persona) of a tenant.
    AssistantId;
    /// A client record.
    ClientId;
    /// An interaction on another channel.
    InteractionId;
    /// One logged AI generation.
    GenerationId;
    /// One logged webhook delivery.
    WebhookDeliveryId;
    /// An internal note in a conversation.
    NoteId;
    /// A canned reply of a tenant.
    CannedReplyId;
    /// A picture or file (MMS media) of a tenant.
    MediaId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_plain_uuids() {
        let id = ConversationId::random();
        let json = serde_json::to_string(&id).expect("json");
        assert_eq!(json, format!("\"{}\"", id.as_uuid()));
        let back: ConversationId = serde_json::from_str(&json).expect("back");
        assert_eq!(back, id);
        assert_eq!(id.to_string().parse::<ConversationId>().ok(), Some(id));
        assert!("not-a-uuid".parse::<MessageId>().is_err());
    }
}
