//! Interactions on other channels (calls, emails, web chats) recorded by integrations, so
//! the SMS assistant knows what already happened with the customer.

pub mod routes;
pub mod storage;

use crate::auth::Caller;
use crate::clients;
use crate::error::ApiError;
use crate::ids::InteractionId;
use crate::phone::E164;
use crate::state::AppState;
use crate::tenants;
use crate::text;
use crate::wire::{CreateInteraction, Interaction};

/// A channel's name: a short word (`voice`, `email`, `webchat`), stored lower-cased.
pub const CHANNEL_PATTERN: &str = "^[A-Za-z0-9_-]{1,40}$";
pub const MAX_SUMMARY_CHARS: usize = 4000;

fn is_channel(text: &str) -> bool {
    (1..=40).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateInteraction,
) -> Result<Interaction, ApiError> {
    if !is_channel(&input.channel) {
        return Err(ApiError::invalid(
            "invalid_field",
            "channel",
            "`channel` is a short word such as voice, email or webchat.",
        ));
    }
    let channel = input.channel.to_lowercase();
    if text::is_blank(&input.summary) || text::length(&input.summary) > MAX_SUMMARY_CHARS {
        return Err(ApiError::invalid(
            "invalid_field",
            "summary",
            format!("a summary of 1 to {MAX_SUMMARY_CHARS} characters is required"),
        ));
    }
    let summary = input.summary.trim().to_string();
    let mut conn = state.db().await?;
    let phone_number = match input.phone_number.as_deref() {
        None => None,
        Some(text) => {
            let tenant = tenants::storage::find(&mut conn, caller.tenant_id)
                .await?
                .ok_or_else(|| ApiError::not_found("tenant"))?;
            Some(
                E164::parse(text, &tenant.default_region)
                    .map_err(|error| {
                        ApiError::invalid("invalid_phone_number", "phone_number", error.to_string())
                    })?
                    .into_string(),
            )
        }
    };
    let client = match input.client_id {
        None => None,
        // A reference to a client that is not there (or another tenant's) is a 404.
        Some(id) => Some(
            clients::storage::find(&mut conn, caller.tenant_id, id)
                .await?
                .ok_or_else(|| ApiError::not_found("client"))?,
        ),
    };
    if phone_number.is_none() && client.is_none() {
        return Err(ApiError::invalid(
            "missing_field",
            "phone_number",
            "give the customer's `phone_number` or a `client_id`",
        ));
    }
    let now = state.clock.now();
    let interaction = Interaction {
        id: InteractionId::random(),
        client_id: client.as_ref().map(|c| c.id),
        // The client's number lets the SMS side find the interaction by phone.
        phone_number: phone_number.or_else(|| client.and_then(|c| c.phone_number)),
        channel,
        summary,
        occurred_at: input.occurred_at.unwrap_or(now),
        created_at: now,
    };
    storage::insert(&mut conn, caller.tenant_id, &interaction).await?;
    Ok(interaction)
}
