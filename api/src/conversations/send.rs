//! An agent (or an API client) writes to the customer in a conversation: the text checked,
//! a closed conversation reopened unless the customer has moved on, the message queued for
//! the outbox, and the AI paused because a human took over.

use diesel_async::AsyncConnection;

use super::lifecycle::{self, ReopenError};
use super::storage::{self as conversation_storage, ConversationChanges};
use crate::auth::Caller;
use crate::ids::ConversationId;
use crate::messages::{self, Outbound, SendError, SmsText};
use crate::realtime::events;
use crate::state::AppState;
use crate::tenants;
use crate::wire::FeedPayload;
use crate::wire::{Author, Message};

/// Sends a message from an agent (or API client) in a conversation.
pub async fn send(
    state: &AppState,
    caller: &Caller,
    conversation_id: ConversationId,
    text: SmsText,
) -> Result<Message, SendError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let tenant_id = caller.tenant_id;
    let author_user_id = caller.user_id();
    let message = conn
        .transaction::<_, SendError, _>(async |conn| {
            let mut conversation =
                conversation_storage::find_for_update(conn, tenant_id, conversation_id)
                    .await?
                    .ok_or(SendError::ConversationNotFound)?;
            // Writing in a closed conversation reopens it, unless the customer has moved on.
            conversation = lifecycle::reopen(conn, conversation, now)
                .await
                .map_err(|error| match error {
                    ReopenError::AnotherActive => SendError::AnotherActive,
                    ReopenError::Database(error) => error.into(),
                })?;
            let mut feed = Vec::with_capacity(2);
            let (row, updated) = messages::queue_outbound(
                conn,
                Outbound {
                    conversation: &conversation,
                    text: &text,
                    author: Author::Agent,
                    author_user_id,
                    ai_provider: None,
                },
                now,
                &mut feed,
            )
            .await?;
            // A human took over: the AI stays quiet until the conversation has been idle
            // for the tenant's time, or until someone turns it back on.
            let idle = tenants::storage::find(conn, tenant_id)
                .await?
                .map(|tenant| tenant.ai_idle_resume_minutes)
                .unwrap_or(crate::tenants::DEFAULT_AI_IDLE_RESUME_MINUTES);
            let updated = conversation_storage::update(
                conn,
                updated.id,
                &ConversationChanges {
                    ai_paused_until: Some(Some(now + chrono::Duration::minutes(i64::from(idle)))),
                    ..Default::default()
                },
            )
            .await?;
            feed.push(FeedPayload::ConversationUpdated(updated.into_wire(false)));
            events::record_all(conn, tenant_id, feed, now).await?;
            Ok(Message::from(row))
        })
        .await?;
    state.jobs_wake.notify(crate::jobs::JobKind::SendSms);
    Ok(message)
}
