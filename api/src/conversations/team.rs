//! Who works on a conversation: its assignee, a handoff from the AI to a person, and what a
//! person's reply changes. Each rule answers the changes to make, applied by the caller in
//! its own transaction.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use std::collections::HashMap;

use super::storage::{self, ConversationChanges, ConversationRow};
use crate::auth::Caller;
use crate::ids::{TenantId, UserId};
use crate::tenants;
use crate::users;
use crate::wire::{Conversation, Tenant};

/// The longest handoff reason kept, in characters (the model writes it).
pub const MAX_HANDOFF_REASON_CHARS: usize = 500;

/// A person wrote to the customer: the AI steps back for the tenant's idle time, a handoff
/// is answered, and an unassigned conversation becomes the writer's when the tenant says so.
pub fn agent_replied(
    tenant: &Tenant,
    conversation: &ConversationRow,
    writer: Option<UserId>,
    now: DateTime<Utc>,
) -> ConversationChanges {
    let idle = chrono::Duration::minutes(i64::from(tenant.ai_idle_resume_minutes));
    let claim =
        writer.filter(|_| tenant.auto_assign_on_reply && conversation.assignee_id.is_none());
    ConversationChanges {
        ai_paused_until: Some(Some(now + idle)),
        needs_human: conversation.needs_human.then_some(false),
        handoff_reason: conversation.needs_human.then_some(None),
        assignee_id: claim.map(Some),
        updated_at: Some(now),
        ..Default::default()
    }
}

/// A person started a conversation, or wrote into the customer's active one through "Start
/// conversation": the same as a reply in a thread that was going on; in a new thread only the
/// assignment, so that the AI still answers the customer's first words back.
pub fn agent_started(
    tenant: &Tenant,
    conversation: &ConversationRow,
    writer: Option<UserId>,
    resumed: bool,
    now: DateTime<Utc>,
) -> ConversationChanges {
    let changes = agent_replied(tenant, conversation, writer, now);
    if resumed {
        return changes;
    }
    ConversationChanges {
        assignee_id: changes.assignee_id,
        updated_at: changes.updated_at,
        ..Default::default()
    }
}

/// The AI asked for a person: the conversation says so and why, and the AI stays quiet
/// until someone answers (see `agent::reply`'s reasons to skip).
pub fn handed_off(tenant: &Tenant, reason: &str, now: DateTime<Utc>) -> ConversationChanges {
    let idle = chrono::Duration::minutes(i64::from(tenant.ai_idle_resume_minutes));
    let reason: String = reason
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_HANDOFF_REASON_CHARS)
        .collect();
    ConversationChanges {
        needs_human: Some(true),
        handoff_reason: Some(Some(if reason.is_empty() {
            "The customer asked for a person".to_string()
        } else {
            reason
        })),
        ai_paused_until: Some(Some(now + idle)),
        updated_at: Some(now),
        ..Default::default()
    }
}

/// A person flags the conversation for someone else of the team (`needs_human: true`).
pub fn flagged_by(name: &str) -> ConversationChanges {
    ConversationChanges {
        needs_human: Some(true),
        handoff_reason: Some(Some(format!("Flagged by {name}"))),
        ..Default::default()
    }
}

/// A person dealt with the handoff without writing (`needs_human: false`).
pub fn handoff_settled() -> ConversationChanges {
    ConversationChanges {
        needs_human: Some(false),
        handoff_reason: Some(None),
        ..Default::default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AssigneeError {
    #[error("`assignee_id` names no user of this tenant")]
    NotInTenant,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// An assignee must be a user of the conversation's tenant.
pub async fn check_assignee(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    assignee: UserId,
) -> Result<(), AssigneeError> {
    match users::storage::find(conn, tenant_id, assignee).await? {
        Some(_) => Ok(()),
        None => Err(AssigneeError::NotInTenant),
    }
}

/// `unread_count` as the caller sees it: a signed-in user's own (their read marker); an API
/// key sees the team's (since anyone last read the conversation).
pub async fn personal_unread(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    conversations: &mut [Conversation],
) -> diesel::QueryResult<()> {
    let Some(user) = caller.user_id() else {
        return Ok(());
    };
    let ids: Vec<_> = conversations.iter().map(|c| c.id).collect();
    let counts: HashMap<_, _> = storage::unread_for_user(conn, user, &ids)
        .await?
        .into_iter()
        .collect();
    for conversation in conversations {
        conversation.unread_count = counts.get(&conversation.id).copied().unwrap_or(0);
    }
    Ok(())
}

/// The tenant whose rules a reply follows.
pub async fn tenant_of(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
) -> diesel::QueryResult<Tenant> {
    tenants::storage::find(conn, tenant_id)
        .await?
        .ok_or(diesel::result::Error::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(auto_assign: bool) -> Tenant {
        Tenant {
            id: TenantId::random(),
            name: "Acme".into(),
            default_region: "CA".into(),
            resume_window_days: 30,
            ai_idle_resume_minutes: 60,
            auto_assign_on_reply: auto_assign,
            created_at: Utc::now(),
        }
    }

    fn conversation(assignee: Option<UserId>, needs_human: bool) -> ConversationRow {
        let mut row = ConversationRow::example();
        row.assignee_id = assignee;
        row.needs_human = needs_human;
        row
    }

    #[test]
    fn a_reply_in_an_unassigned_conversation_assigns_the_writer() {
        let me = UserId::random();
        let changes = agent_replied(
            &tenant(true),
            &conversation(None, false),
            Some(me),
            Utc::now(),
        );
        assert_eq!(changes.assignee_id, Some(Some(me)));
        let changes = agent_replied(
            &tenant(false),
            &conversation(None, false),
            Some(me),
            Utc::now(),
        );
        assert_eq!(changes.assignee_id, None);
        let other = UserId::random();
        let changes = agent_replied(
            &tenant(true),
            &conversation(Some(other), false),
            Some(me),
            Utc::now(),
        );
        assert_eq!(changes.assignee_id, None, "someone else's stays theirs");
    }

    #[test]
    fn a_reply_answers_a_handoff_and_pauses_the_ai() {
        let now = Utc::now();
        let changes = agent_replied(&tenant(true), &conversation(None, true), None, now);
        assert_eq!(changes.needs_human, Some(false));
        assert_eq!(changes.handoff_reason, Some(None));
        assert_eq!(
            changes.ai_paused_until,
            Some(Some(now + chrono::Duration::minutes(60)))
        );
    }

    #[test]
    fn a_handoff_keeps_a_tidy_reason() {
        let changes = handed_off(&tenant(true), "  wants   a\nrefund ", Utc::now());
        assert_eq!(changes.needs_human, Some(true));
        assert_eq!(changes.handoff_reason, Some(Some("wants a refund".into())));
        let changes = handed_off(&tenant(true), "", Utc::now());
        assert_eq!(
            changes.handoff_reason,
            Some(Some("The customer asked for a person".into()))
        );
    }
}
