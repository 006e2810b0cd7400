//! Starting a conversation from the inbox (or the API): the number formatted with the
//! tenant's region, the customer's active conversation reused (200, `resumed`) or a new one
//! created (201) with the tenant's default SMS assistant, and the first message queued.

use diesel_async::AsyncConnection;

use super::storage::{self, ConversationChanges};
use super::{lifecycle, optional_text, ConversationError};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::messages::{self, Dispatch, Outbound, SendError, SmsText};
use crate::phone::E164;
use crate::realtime::events;
use crate::state::AppState;
use crate::wire::{Author, FeedPayload, Message, StartConversation, StartedConversation};
use crate::{phone_numbers, tenants};

/// A validated `POST /conversations`. The number is read with the tenant's region, so it is
/// still the text sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConversation {
    pub phone_number: String,
    pub contact_name: Option<String>,
    pub company: Option<String>,
    pub message: SmsText,
}

impl TryFrom<StartConversation> for NewConversation {
    type Error = ConversationError;

    fn try_from(input: StartConversation) -> Result<NewConversation, ConversationError> {
        Ok(NewConversation {
            phone_number: input.phone_number,
            contact_name: optional_text(input.contact_name, "contact_name")?,
            company: optional_text(input.company, "company")?,
            message: SmsText::parse(input.message, "message")?,
        })
    }
}

/// Starts (or resumes) a conversation with a first outbound message.
pub async fn start(
    state: &AppState,
    caller: &Caller,
    input: StartConversation,
) -> Result<StartedConversation, ConversationError> {
    let NewConversation {
        phone_number,
        contact_name,
        company,
        message,
    } = input.try_into()?;
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let tenant = tenants::storage::find(&mut conn, tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let phone = E164::parse(&phone_number, &tenant.default_region)
        .map_err(|error| ConversationError::InvalidPhone(error.to_string()))?;
    let from = phone_numbers::sending_number(&mut conn, tenant_id, "")
        .await?
        .ok_or(SendError::NoSendingNumber)?;
    let now = state.clock.now();
    let author_user_id = caller.user_id();
    let author_name = caller.name.clone();
    // A concurrent start for the same customer may win the unique index: then resume it.
    let mut attempt = 0;
    let started = loop {
        attempt += 1;
        let result = conn
            .transaction::<_, ConversationError, _>(async |conn| {
                let (conversation, resumed) =
                    match storage::find_active_for_update(conn, tenant_id, phone.as_str()).await? {
                        Some(existing) => {
                            let changes = ConversationChanges {
                                contact_name: contact_name.clone().map(Some),
                                company: company.clone().map(Some),
                                updated_at: Some(now),
                                ..Default::default()
                            };
                            (storage::update(conn, existing.id, &changes).await?, true)
                        }
                        None => {
                            let row = lifecycle::new_conversation(
                                conn,
                                tenant_id,
                                &phone,
                                &from.number,
                                contact_name.clone(),
                                company.clone(),
                                now,
                            )
                            .await?;
                            storage::insert(conn, &row).await?;
                            (row, false)
                        }
                    };
                let mut feed = Vec::with_capacity(2);
                let (message, conversation) = messages::queue_outbound(
                    conn,
                    Outbound {
                        conversation: &conversation,
                        text: &message,
                        author: Author::Agent,
                        author_user_id,
                        author_name: Some(author_name.clone()),
                        ai_provider: None,
                        retry_of: None,
                        media: &[],
                        dispatch: Dispatch::NowUnlessQuiet,
                        compliance_reply: false,
                    },
                    now,
                    &mut feed,
                )
                .await?;
                let changes = super::team::agent_started(
                    &tenant,
                    &conversation,
                    author_user_id,
                    resumed,
                    now,
                );
                let conversation = storage::update(conn, conversation.id, &changes).await?;
                let wire = conversation.into_wire(false);
                feed.push(if resumed {
                    FeedPayload::ConversationUpdated(wire.clone())
                } else {
                    FeedPayload::ConversationCreated(wire.clone())
                });
                events::record_all(conn, tenant_id, feed, now).await?;
                Ok(StartedConversation {
                    conversation: wire,
                    message: Message::from(message),
                    resumed,
                })
            })
            .await;
        match result {
            Err(ConversationError::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ))) if attempt < 3 => continue,
            other => break other?,
        }
    };
    state.jobs_wake.notify(crate::jobs::JobKind::SendSms);
    Ok(started)
}
