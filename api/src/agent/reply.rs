//! The reply job: after a customer writes, decide whether the AI answers, choose the
//! assistant, apply the name and identity rules (as code and state), build the context,
//! generate, and hand the reply to the outbox, all logged.
//!
//! Rules, in order: no reply when AI is off for the conversation, the customer opted out, a
//! human has taken over (replied after the customer, or the pause after a human reply has not
//! run out), or a newer customer message will be answered instead (so two messages in quick
//! succession get one reply that answers both).

use std::time::Instant;

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::generations::{self, GenerationRow};
use super::identity;
use super::names;
use super::prompt::{self, ReplyContext, HISTORY_LIMIT};
use super::provider::{AiProvider, ChatRequest, ChatResponse, ProviderError, Role, ToolCall};
use crate::assistants::storage::{self as assistant_storage, AssistantRow};
use crate::clients::storage as client_storage;
use crate::conversations::storage::{
    self as conversation_storage, ConversationChanges, ConversationRow,
};
use crate::conversations::team;
use crate::ids::{AssistantId, ClientId, ConversationId, GenerationId, MessageId, TenantId};
use crate::interactions;
use crate::jobs::{self, ClaimedJob, JobError, Outcome};
use crate::messages::storage::{self as message_storage, MessageRow};
use crate::messages::{self, Outbound, SmsText};
use crate::opt_outs::{self, GuardError};
use crate::realtime::events;
use crate::state::AppState;
use crate::tenants;
use crate::wire::FeedPayload;
use crate::wire::{
    AiResponseGenerated, Author, Channel, ContactIdentified, GenerationPurpose, Identity, Message,
    Tenant,
};

#[derive(Debug, thiserror::Error)]
enum ReplyError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Job(#[from] JobError),
    #[error("the tenant has no Telnyx number to send from; an admin adds one under phone numbers")]
    NoSendingNumber,
}

impl From<messages::SendError> for ReplyError {
    fn from(error: messages::SendError) -> Self {
        match error {
            messages::SendError::NoSendingNumber => ReplyError::NoSendingNumber,
            messages::SendError::Database(error) => JobError::Database(error).into(),
            other => JobError::Database(diesel::result::Error::QueryBuilderError(
                other.to_string().into(),
            ))
            .into(),
        }
    }
}

impl From<diesel::result::Error> for ReplyError {
    fn from(error: diesel::result::Error) -> Self {
        ReplyError::Job(error.into())
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ReplyError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        ReplyError::Job(error.into())
    }
}

/// The inbound message the reply answers.
struct Payload {
    conversation_id: ConversationId,
    message_id: MessageId,
}

/// The reply job: answers the customer's message, or says why the AI stays quiet.
pub async fn run(
    state: &AppState,
    job: &ClaimedJob,
    conversation_id: ConversationId,
    message_id: MessageId,
) -> Result<Outcome, JobError> {
    let payload = Payload {
        conversation_id,
        message_id,
    };
    let Some(tenant_id) = job.tenant_id else {
        return Ok(Outcome::Failed("the job has no tenant".into()));
    };
    let now = state.clock.now();
    let log = GenerationLog::default();
    let replied = reply(state, tenant_id, &payload, &log).await;
    log.flush(state).await;
    match replied {
        Ok(outcome) => Ok(outcome),
        Err(error) if !job.is_last_attempt() && is_retryable(&error) => Ok(Outcome::RetryAt(
            jobs::retry_time(now, job.attempts),
            error.to_string(),
        )),
        Err(error) => {
            // Given up: the inbound message stays; the conversation shows what went wrong.
            let shown = format!(
                "The AI could not reply after {} attempts: {error}",
                job.attempts
            );
            if let Err(db_error) =
                record_failure(state, tenant_id, payload.conversation_id, &shown).await
            {
                tracing::warn!(%db_error, "cannot record the AI failure");
            }
            Ok(Outcome::Failed(error.to_string()))
        }
    }
}

/// The reply job will not run again: the conversation says why.
pub async fn give_up(
    state: &AppState,
    job: &ClaimedJob,
    conversation_id: ConversationId,
    reason: &str,
) -> Result<(), JobError> {
    let Some(tenant_id) = job.tenant_id else {
        return Ok(());
    };
    let shown = format!("The AI could not reply: {reason}");
    record_failure(state, tenant_id, conversation_id, &shown).await
}

fn is_retryable(error: &ReplyError) -> bool {
    match error {
        ReplyError::Provider(error) => error.is_retryable(),
        ReplyError::Job(_) => true,
        ReplyError::NoSendingNumber => false,
    }
}

/// Why the AI stays quiet, if it does.
async fn skip_reason(
    conn: &mut AsyncPgConnection,
    conversation: &ConversationRow,
    inbound: &MessageRow,
    now: DateTime<Utc>,
) -> QueryResult<Option<&'static str>> {
    if !conversation.ai_enabled {
        return Ok(Some("AI is off for this conversation"));
    }
    if conversation.needs_human {
        return Ok(Some("the conversation waits for a person"));
    }
    if conversation
        .ai_paused_until
        .is_some_and(|until| until > now)
    {
        return Ok(Some("a human has taken over"));
    }
    match opt_outs::ensure_can_text(conn, conversation.tenant_id, &conversation.phone_number).await
    {
        Ok(()) => {}
        Err(GuardError::OptedOut(_)) => return Ok(Some("the customer opted out")),
        Err(GuardError::Database(error)) => return Err(error),
    }
    let later = message_storage::authors_after(
        conn,
        conversation.tenant_id,
        conversation.id,
        inbound.created_at,
    )
    .await?;
    let wrote = |author: Author| later.iter().any(|a| a == author.as_str());
    if wrote(Author::Agent) {
        return Ok(Some("a human replied after the customer"));
    }
    if wrote(Author::Customer) {
        return Ok(Some("a newer message will be answered"));
    }
    if wrote(Author::Ai) {
        return Ok(Some("already answered"));
    }
    Ok(None)
}

/// The conversation's assistant, else the tenant's default SMS assistant, else a new default.
async fn select_assistant(
    conn: &mut AsyncPgConnection,
    conversation: &ConversationRow,
    now: DateTime<Utc>,
) -> QueryResult<AssistantRow> {
    if let Some(id) = conversation.assistant_id {
        if let Some(assistant) = assistant_storage::find(conn, conversation.tenant_id, id).await? {
            return Ok(assistant);
        }
    }
    if let Some(assistant) = assistant_storage::find_default(conn, conversation.tenant_id).await? {
        return Ok(assistant);
    }
    let created = AssistantRow {
        id: AssistantId::random(),
        tenant_id: conversation.tenant_id,
        name: "SMS assistant".into(),
        system_prompt: prompt::DEFAULT_SYSTEM_PROMPT.into(),
        model: None,
        temperature: crate::assistants::DEFAULT_TEMPERATURE,
        channel: Channel::Sms,
        is_default: true,
        max_segments: crate::assistants::DEFAULT_MAX_SEGMENTS,
        created_at: now,
        updated_at: now,
    };
    if assistant_storage::insert_unless_conflicting(conn, &created).await? {
        tracing::info!(tenant = %conversation.tenant_id, "created a default SMS assistant");
        return Ok(created);
    }
    // Another reply (or an admin) made a default first.
    assistant_storage::find_default(conn, conversation.tenant_id)
        .await?
        .ok_or(diesel::result::Error::NotFound)
}

/// Summaries of the customer's other conversations and recorded interactions, newest first.
async fn cross_channel(
    conn: &mut AsyncPgConnection,
    conversation: &ConversationRow,
    verified_client: Option<ClientId>,
) -> QueryResult<Vec<String>> {
    let mut summaries = Vec::new();
    let others = conversation_storage::others_for_phone(conn, conversation, 3).await?;
    for other in others {
        let recent = message_storage::page_before(conn, other.tenant_id, other.id, None, 4).await?;
        let lines: Vec<String> = recent
            .iter()
            .rev()
            .map(|m| {
                let who = if m.author == Author::Customer {
                    "customer"
                } else {
                    "us"
                };
                format!("{who}: {}", conversation_storage::preview(&m.text))
            })
            .collect();
        if !lines.is_empty() {
            summaries.push(format!(
                "Earlier SMS conversation ({}): {}",
                other.created_at.format("%Y-%m-%d"),
                lines.join(" | ")
            ));
        }
    }
    // Interactions tied to the client record only once the texter is confirmed as that client.
    let interactions = interactions::storage::recent_for(
        conn,
        conversation.tenant_id,
        Some(&conversation.phone_number),
        verified_client,
        None,
        5,
    )
    .await?;
    for interaction in interactions {
        summaries.push(format!(
            "{} ({}): {}",
            interaction.channel,
            interaction.occurred_at.format("%Y-%m-%d"),
            interaction.summary
        ));
    }
    Ok(summaries)
}

struct Generation<'a> {
    tenant_id: TenantId,
    conversation_id: ConversationId,
    assistant_id: AssistantId,
    purpose: GenerationPurpose,
    request: ChatRequest,
    state: &'a AppState,
    log: &'a GenerationLog,
}

/// The model calls of one reply job. They are written with the reply, in its transaction
/// (under a burst, a commit per call is what the database runs out of first), or on their
/// own when the job ends without a reply.
#[derive(Default)]
struct GenerationLog(std::sync::Mutex<Vec<GenerationRow>>);

impl GenerationLog {
    fn rows(&self) -> std::sync::MutexGuard<'_, Vec<GenerationRow>> {
        // Rows are plain data: a poisoned lock still holds whole rows.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes what no reply took, whatever the job's outcome.
    async fn flush(&self, state: &AppState) {
        let rows = std::mem::take(&mut *self.rows());
        if rows.is_empty() {
            return;
        }
        match state.pool.get().await {
            Ok(mut conn) => {
                if let Err(error) = generations::insert_all(&mut conn, &rows).await {
                    tracing::warn!(%error, "cannot log AI generations");
                }
            }
            Err(error) => tracing::warn!(%error, "cannot log AI generations"),
        }
    }
}

/// Calls the provider and records the call in the job's log, whatever its outcome.
async fn generate(
    generation: Generation<'_>,
) -> Result<(ChatResponse, GenerationId), ProviderError> {
    let state = generation.state;
    let model = generation.request.model.clone();
    let started = Instant::now();
    let result = state.ai.generate(generation.request).await;
    let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    let id = GenerationId::random();
    let row = GenerationRow {
        id,
        tenant_id: generation.tenant_id,
        conversation_id: Some(generation.conversation_id),
        message_id: None,
        assistant_id: Some(generation.assistant_id),
        purpose: generation.purpose,
        provider: state.ai.name().as_str().into(),
        model: result.as_ref().map(|r| r.model.clone()).unwrap_or(model),
        prompt_tokens: result
            .as_ref()
            .ok()
            .and_then(|r| r.prompt_tokens)
            .map(|t| t as i32),
        completion_tokens: result
            .as_ref()
            .ok()
            .and_then(|r| r.completion_tokens)
            .map(|t| t as i32),
        latency_ms,
        outcome: generations::outcome_of(&result),
        error: result.as_ref().err().map(|e| e.to_string()),
        created_at: state.clock.now(),
    };
    generation.log.rows().push(row);
    result.map(|response| (response, id))
}

async fn reply(
    state: &AppState,
    tenant_id: TenantId,
    payload: &Payload,
    log: &GenerationLog,
) -> Result<Outcome, ReplyError> {
    let now = state.clock.now();
    let mut conn = state.pool.get().await?;
    let Some(conversation) =
        conversation_storage::find(&mut conn, tenant_id, payload.conversation_id).await?
    else {
        return Ok(Outcome::Done);
    };
    let Some(inbound) = message_storage::find(&mut conn, payload.message_id).await? else {
        return Ok(Outcome::Done);
    };
    if let Some(reason) = skip_reason(&mut conn, &conversation, &inbound, now).await? {
        tracing::debug!(conversation = %conversation.id, reason, "no AI reply");
        return Ok(Outcome::Done);
    }
    let tenant = tenants::storage::find(&mut conn, tenant_id)
        .await?
        .ok_or(diesel::result::Error::NotFound)?;
    let assistant = select_assistant(&mut conn, &conversation, now).await?;
    let mut history_rows = message_storage::page_before(
        &mut conn,
        tenant_id,
        conversation.id,
        None,
        HISTORY_LIMIT as i64,
    )
    .await?;
    history_rows.reverse();
    let mms: Vec<_> = history_rows
        .iter()
        .filter(|m| m.message_type == crate::wire::MessageType::Mms)
        .map(|m| m.id)
        .collect();
    let media = crate::media::storage::of_messages(&mut conn, &mms).await?;
    let history: Vec<(Role, String)> = history_rows
        .iter()
        .map(|m| {
            let from_customer = m.author == Author::Customer;
            let role = if from_customer {
                Role::User
            } else {
                Role::Assistant
            };
            let types: Vec<&str> = media
                .get(&m.id)
                .map(|items| {
                    items
                        .iter()
                        .map(|item| item.content_type.as_str())
                        .collect()
                })
                .unwrap_or_default();
            (role, prompt::history_line(&m.text, from_customer, &types))
        })
        .collect();
    let customer_messages =
        message_storage::count_by_author(&mut conn, tenant_id, conversation.id, Author::Customer)
            .await?;
    let linked = match conversation.client_id {
        Some(id) => client_storage::find(&mut conn, tenant_id, id).await?,
        None => None,
    };
    let matched = match (&linked, Some(conversation.identity)) {
        (None, Some(Identity::Unknown | Identity::Pending)) => {
            client_storage::find_by_phone(&mut conn, tenant_id, &conversation.phone_number).await?
        }
        _ => None,
    };
    let mut plan = identity::plan_names(
        &conversation,
        linked.as_ref(),
        matched,
        customer_messages,
        &inbound.text,
    );
    let model = assistant
        .model
        .clone()
        .unwrap_or_else(|| state.settings.ai.model.clone());

    let verified_client = plan
        .link
        .as_ref()
        .map(|c| c.id)
        .or(linked.as_ref().map(|c| c.id));
    let mut context = ReplyContext {
        assistant_name: assistant.name.clone(),
        system_prompt: assistant.system_prompt.clone(),
        model: model.clone(),
        temperature: assistant.temperature,
        guide: conversation_storage::find_guide(&mut conn, tenant_id, conversation.id)
            .await?
            .map(|g| g.text),
        history,
        known_first_name: plan.known_first_name.clone(),
        ask_for_name: plan.ask_for_name,
        confirm_identity_of: plan.confirm.as_ref().and_then(|c| c.first_name.clone()),
        cross_channel: cross_channel(&mut conn, &conversation, verified_client).await?,
        business_name: Some(tenant.name.clone()),
        max_segments: assistant.max_segments.max(1) as u32,
    };
    // No connection is held while the model thinks: under a burst, hundreds of replies wait
    // on the model at once, and the pool is for everyone else (and for logging generations).
    drop(conn);
    let generation = |purpose, request| Generation {
        tenant_id,
        conversation_id: conversation.id,
        assistant_id: assistant.id,
        purpose,
        request,
        state,
        log,
    };
    let reply_request = prompt::build_reply_request(&context);
    // No name in the words themselves: the provider extracts one, beside the reply rather
    // than before it, so the customer waits for one model call.
    let (response, generation_id) = if plan.known_first_name.is_none() && plan.confirm.is_none() {
        let transcript = names::transcript(&context.history);
        let (extraction, reply) = tokio::join!(
            generate(generation(
                GenerationPurpose::NameExtraction,
                names::extraction_request(&model, &transcript),
            )),
            generate(generation(GenerationPurpose::Reply, reply_request)),
        );
        let name = match extraction {
            Ok((response, _)) => names::parse_extraction_json(&response.content),
            // A failed extraction does not stop the reply.
            Err(error) => {
                tracing::info!(%error, "name extraction failed");
                None
            }
        };
        let asked = plan.ask_for_name;
        if let Some(name) = name {
            plan.learn(name);
        }
        if asked && !plan.ask_for_name {
            // That reply asks for the name the customer has just given: write it again
            // knowing it.
            context.known_first_name = plan.known_first_name.clone();
            context.ask_for_name = false;
            let request = prompt::build_reply_request(&context);
            generate(generation(GenerationPurpose::Reply, request)).await?
        } else {
            reply?
        }
    } else {
        generate(generation(GenerationPurpose::Reply, reply_request)).await?
    };
    // Models overrun limits they were told; Telnyx refuses texts of more than ten segments.
    let fitted =
        crate::sms::fit_to_segments(&response.content, assistant.max_segments.max(1) as u32);
    let text = SmsText::parse(fitted, "text").ok();
    let handoff = response
        .tool_calls
        .iter()
        .map(|call| match call {
            ToolCall::HandoffToHuman { reason } => reason.as_str(),
        })
        .next();
    if text.is_none() && handoff.is_none() {
        return Err(ProviderError::InvalidResponse("an empty reply".into()).into());
    }
    let answer = Answer {
        text: text.as_ref(),
        handoff,
    };
    commit(
        state,
        &tenant,
        payload,
        plan,
        answer,
        &response,
        (generation_id, log),
    )
    .await
}

/// What the model decided: a text for the customer, a handoff to a person, or both.
struct Answer<'a> {
    text: Option<&'a SmsText>,
    handoff: Option<&'a str>,
}

/// Writes the reply in one transaction, after checking again that nothing changed while the
/// provider was thinking (a human replied, AI was turned off, the customer wrote again).
async fn commit(
    state: &AppState,
    tenant: &Tenant,
    payload: &Payload,
    plan: identity::NamePlan,
    answer: Answer<'_>,
    response: &ChatResponse,
    (generation_id, log): (GenerationId, &GenerationLog),
) -> Result<Outcome, ReplyError> {
    let tenant_id = tenant.id;
    let now = state.clock.now();
    let mut conn = state.pool.get().await?;
    let provider = response.provider;
    let committed = conn
        .transaction::<_, ReplyError, _>(async |conn| {
            let Some(conversation) =
                conversation_storage::find_for_update(conn, tenant_id, payload.conversation_id)
                    .await?
            else {
                return Ok(false);
            };
            let Some(inbound) = message_storage::find(conn, payload.message_id).await? else {
                return Ok(false);
            };
            if skip_reason(conn, &conversation, &inbound, now)
                .await?
                .is_some()
            {
                return Ok(false);
            }
            let mut changes = ConversationChanges {
                ai_error: Some(None),
                ai_error_at: Some(None),
                updated_at: Some(now),
                ..Default::default()
            };
            let mut identified = None;
            if let Some(identity) = plan.identity {
                changes.identity = Some(identity);
            }
            if let Some(client) = &plan.link {
                changes.client_id = Some(Some(client.id));
                if conversation.contact_name.is_none() {
                    changes.contact_name = Some(identity::full_name(client));
                }
                if conversation.company.is_none() {
                    changes.company = Some(client.company.clone());
                }
                identified = Some(("client_record", Some(client.id), None));
            } else if let Some(name) = &plan.extracted {
                if conversation.contact_name.is_none() {
                    changes.contact_name = Some(Some(name.full()));
                    identified = Some(("message", None, Some(name.full())));
                }
            }
            if plan.ask_for_name {
                changes.name_requests = Some(conversation.name_requests + 1);
            }
            if let Some(reason) = answer.handoff {
                let handoff = team::handed_off(tenant, reason, now);
                changes.needs_human = handoff.needs_human;
                changes.handoff_reason = handoff.handoff_reason;
                changes.ai_paused_until = handoff.ai_paused_until;
            }
            let conversation =
                conversation_storage::update(conn, conversation.id, &changes).await?;
            let mut feed = Vec::with_capacity(4);
            let (message, conversation) = match answer.text {
                Some(text) => {
                    let (message, conversation) = messages::queue_outbound(
                        conn,
                        Outbound {
                            conversation: &conversation,
                            text,
                            author: Author::Ai,
                            author_user_id: None,
                            author_name: None,
                            ai_provider: Some(provider),
                            retry_of: None,
                            media: &[],
                            dispatch: messages::Dispatch::Now,
                            compliance_reply: false,
                        },
                        now,
                        &mut feed,
                    )
                    .await?;
                    (Some(message), conversation)
                }
                None => (None, conversation),
            };
            let mut calls = log.rows().clone();
            for call in calls.iter_mut().filter(|call| call.id == generation_id) {
                call.message_id = message.as_ref().map(|message| message.id);
            }
            generations::insert_all(conn, &calls).await?;
            let wire = conversation.into_wire(false);
            if let Some((source, client_id, name)) = identified {
                feed.push(FeedPayload::ContactIdentified(ContactIdentified {
                    source: source.to_string(),
                    client_id,
                    name,
                    conversation: wire.clone(),
                }));
            }
            feed.push(FeedPayload::ConversationUpdated(wire.clone()));
            if let Some(message) = message {
                feed.push(FeedPayload::AiResponseGenerated(AiResponseGenerated {
                    conversation_id: wire.id,
                    message: Message::from(message),
                    provider,
                    offline_demo: provider == AiProvider::OfflineDemo,
                    model: response.model.clone(),
                    prompt_tokens: response.prompt_tokens,
                    completion_tokens: response.completion_tokens,
                }));
            }
            events::record_all(conn, tenant_id, feed, now).await?;
            Ok(true)
        })
        .await?;
    if committed {
        // Written with the reply.
        log.rows().clear();
        state.jobs_wake.notify(crate::jobs::JobKind::SendSms);
    }
    Ok(Outcome::Done)
}

async fn record_failure(
    state: &AppState,
    tenant_id: TenantId,
    conversation_id: ConversationId,
    error: &str,
) -> Result<(), JobError> {
    let now = state.clock.now();
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        let Some(conversation) =
            conversation_storage::find_for_update(conn, tenant_id, conversation_id).await?
        else {
            return Ok(());
        };
        let changes = ConversationChanges {
            ai_error: Some(Some(error.to_string())),
            ai_error_at: Some(Some(now)),
            updated_at: Some(now),
            ..Default::default()
        };
        let row = conversation_storage::update(conn, conversation.id, &changes).await?;
        let wire = crate::conversations::to_wire(conn, row).await?;
        events::record(
            conn,
            tenant_id,
            FeedPayload::ConversationUpdated(wire.clone()),
            now,
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(())
}
