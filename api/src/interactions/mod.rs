//! Interactions on other channels (calls, emails, web chats) recorded by integrations, so
//! the SMS assistant knows what already happened with the customer.

pub mod routes;
pub mod storage;

use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::clients;
use crate::error::ApiError;
use crate::phone::E164;
use crate::tenants;
use crate::wire::{CreateInteraction, Interaction};

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateInteraction,
) -> Result<Interaction, ApiError> {
    let channel = input.channel.trim().to_lowercase();
    if channel.is_empty()
        || channel.len() > 40
        || !channel
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ApiError::invalid(
            "invalid_field",
            "channel",
            "`channel` is a short word such as voice, email or webchat.",
        ));
    }
    let summary = input.summary.trim().to_string();
    if summary.is_empty() || summary.chars().count() > 4000 {
        return Err(ApiError::invalid(
            "invalid_field",
            "summary",
            "a summary of 1 to 4000 characters is required",
        ));
    }
    let mut conn = state.db().await?;
    let phone_number = match input
        .phone_number
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
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
        Some(id) => Some(
            clients::storage::find(&mut conn, caller.tenant_id, id)
                .await?
                .ok_or_else(|| {
                    ApiError::invalid(
                        "invalid_field",
                        "client_id",
                        "no client of this tenant has that id",
                    )
                })?,
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
        id: Uuid::new_v4(),
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
