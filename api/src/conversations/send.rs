//! An agent (or an API client) writes to the customer in a conversation: the text checked,
//! a closed conversation reopened unless the customer has moved on, the message queued for
//! the outbox, and the AI paused because a human took over.

use diesel_async::AsyncConnection;

use super::lifecycle::{self, ReopenError};
use super::storage as conversation_storage;
use super::team;
use crate::auth::Caller;
use crate::ids::{ConversationId, MessageId};
use crate::media::storage as media_storage;
use crate::messages::storage as message_storage;
use crate::messages::{
    self, schedule, status, Dispatch, Outbound, OutgoingMessage, SendError, SmsText,
};
use crate::realtime::events;
use crate::state::AppState;
use crate::wire::FeedPayload;
use crate::wire::{Author, Direction, Message};

/// Writing in a closed conversation reopens it, unless the customer has moved on.
impl From<ReopenError> for SendError {
    fn from(error: ReopenError) -> Self {
        match error {
            ReopenError::AnotherActive => SendError::AnotherActive,
            ReopenError::Database(error) => error.into(),
        }
    }
}

/// Sends a message from an agent (or API client) in a conversation.
pub async fn send(
    state: &AppState,
    caller: &Caller,
    conversation_id: ConversationId,
    outgoing: OutgoingMessage,
) -> Result<Message, SendError> {
    let now = state.clock.now();
    let dispatch = match outgoing.send_at {
        Some(send_at) => Dispatch::At(schedule::check_send_at(send_at, now)?),
        None => Dispatch::Now,
    };
    let mut conn = state.db().await?;
    let tenant_id = caller.tenant_id;
    let author_user_id = caller.user_id();
    let author_name = caller.name.clone();
    let message = conn
        .transaction::<_, SendError, _>(async |conn| {
            let mut conversation =
                conversation_storage::find_for_update(conn, tenant_id, conversation_id)
                    .await?
                    .ok_or(SendError::ConversationNotFound)?;
            let media = messages::media_to_send(conn, tenant_id, &outgoing.media_ids).await?;
            // Writing in a closed conversation reopens it, unless the customer has moved on.
            conversation = lifecycle::reopen(conn, conversation, now).await?;
            let mut feed = Vec::with_capacity(2);
            let (row, updated) = messages::queue_outbound(
                conn,
                Outbound {
                    conversation: &conversation,
                    text: &outgoing.text,
                    author: Author::Agent,
                    author_user_id,
                    author_name: Some(author_name.clone()),
                    ai_provider: None,
                    retry_of: None,
                    media: &media,
                    dispatch,
                    compliance_reply: false,
                },
                now,
                &mut feed,
            )
            .await?;
            // A human took over (see `team::agent_replied`); a message for later changes
            // nothing until it leaves.
            if dispatch == Dispatch::Now {
                let tenant = team::tenant_of(conn, tenant_id).await?;
                let changes = team::agent_replied(&tenant, &updated, author_user_id, now);
                let updated = conversation_storage::update(conn, updated.id, &changes).await?;
                feed.push(FeedPayload::ConversationUpdated(updated.into_wire(false)));
            }
            events::record_all(conn, tenant_id, feed, now).await?;
            Ok(messages::wire_of(conn, row).await?)
        })
        .await?;
    state.jobs_wake.notify(crate::jobs::JobKind::SendSms);
    Ok(message)
}

/// Sends a failed outbound message again, as a new message naming the one it retries (the
/// failed one stays in the history as it was). Once only: a message already retried, or one
/// that did not fail, is `NotRetryable`.
pub async fn retry(
    state: &AppState,
    caller: &Caller,
    message_id: MessageId,
) -> Result<Message, SendError> {
    let now = state.clock.now();
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let message = conn
        .transaction::<_, SendError, _>(async |conn| {
            let failed = message_storage::find_in_tenant_for_update(conn, tenant_id, message_id)
                .await?
                .ok_or(SendError::MessageNotFound)?;
            if failed.direction != Direction::Outbound || !status::is_retryable(failed.status()) {
                return Err(SendError::NotRetryable(format!(
                    "Only a message that failed to send or to be delivered can be retried; this one is {}.",
                    failed.status().as_str()
                )));
            }
            if let Some(retry) = message_storage::retry_of(conn, failed.id).await? {
                return Err(SendError::NotRetryable(format!(
                    "This message was retried already, as message {retry}."
                )));
            }
            let conversation =
                conversation_storage::find_for_update(conn, tenant_id, failed.conversation_id)
                    .await?
                    .ok_or(SendError::ConversationNotFound)?;
            let conversation = lifecycle::reopen(conn, conversation, now)
                .await?;
            // The same pictures and files go again.
            let media = media_storage::of_messages(conn, &[failed.id])
                .await?
                .remove(&failed.id)
                .unwrap_or_default();
            let mut feed = Vec::with_capacity(2);
            let (row, updated) = messages::queue_outbound(
                conn,
                Outbound {
                    conversation: &conversation,
                    text: &SmsText::stored(&failed),
                    // Sent again as it was written, by whoever wrote it.
                    author: failed.author,
                    author_user_id: failed.author_user_id,
                    author_name: failed.author_name.clone(),
                    ai_provider: failed.ai_provider,
                    retry_of: Some(failed.id),
                    media: &media,
                    dispatch: Dispatch::Now,
 compliance_reply: false,
                },
                now,
                &mut feed,
            )
            .await?;
            feed.push(FeedPayload::ConversationUpdated(updated.into_wire(false)));
            events::record_all(conn, tenant_id, feed, now).await?;
            Ok(messages::wire_of(conn, row).await?)
        })
        .await?;
    state.jobs_wake.notify(crate::jobs::JobKind::SendSms);
    Ok(message)
}
