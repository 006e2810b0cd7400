//! Names and identity as rules and state, decided before every AI reply: a name the customer
//! gives wins, then the linked client record; a number that matches a client is confirmed
//! first ("is this Sarah?"), linked on a yes, declined on a no, and never addressed by the
//! record's name before a yes; a new customer is asked for their name (at most twice). The
//! language itself (what is a name, what is a yes) is `agent::names`.

use super::names::{self, IdentityAnswer, PersonName};
use crate::clients::storage::ClientRow;
use crate::conversations::storage::ConversationRow;
use crate::wire::Identity;

/// The name-asking stops after this many requests (the customer may prefer not to say).
const MAX_NAME_REQUESTS: i32 = 2;
/// Identity is checked only within the customer's first messages.
const IDENTITY_WINDOW: i64 = 2;

/// What the name and identity rules decided for this reply.
#[derive(Debug, Default)]
pub struct NamePlan {
    pub known_first_name: Option<String>,
    pub ask_for_name: bool,
    /// Ask "is this …?" about this client.
    pub confirm: Option<ClientRow>,
    /// The customer confirmed: link this client.
    pub link: Option<ClientRow>,
    /// A name the customer gave.
    pub extracted: Option<PersonName>,
    pub identity: Option<Identity>,
}

impl NamePlan {
    /// The customer gave their name: address them by it, and stop asking for it.
    pub fn learn(&mut self, name: PersonName) {
        self.known_first_name = Some(name.first.clone());
        self.extracted = Some(name);
        self.ask_for_name = false;
    }
}

fn first_word(name: &str) -> Option<String> {
    name.split_whitespace().next().map(str::to_string)
}

pub fn full_name(client: &ClientRow) -> Option<String> {
    let name = [client.first_name.as_deref(), client.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.trim().is_empty()).then_some(name)
}

/// Applies the rules: a name the customer gives wins, then the linked client record; a
/// number that matches a client is confirmed first ("is this Sarah?") and never addressed by
/// the record's name before a yes.
pub fn plan_names(
    conversation: &ConversationRow,
    linked: Option<&ClientRow>,
    matched: Option<ClientRow>,
    customer_messages: i64,
    latest: &str,
) -> NamePlan {
    let mut plan = NamePlan::default();
    let identity = conversation.identity;
    let asked_before = conversation.name_requests > 0;
    plan.known_first_name = conversation
        .contact_name
        .as_deref()
        .and_then(first_word)
        .or_else(|| linked.and_then(|c| c.first_name.clone()));

    if identity == Identity::Pending {
        if let Some(client) = matched.clone() {
            let first = client.first_name.clone().unwrap_or_default();
            match names::identity_answer(latest, &first) {
                IdentityAnswer::Confirmed => {
                    plan.identity = Some(Identity::Verified);
                    plan.known_first_name = plan.known_first_name.or(Some(first));
                    plan.link = Some(client);
                    return plan;
                }
                IdentityAnswer::Denied => plan.identity = Some(Identity::Declined),
                IdentityAnswer::Unclear => plan.identity = Some(Identity::Unknown),
            }
        } else {
            plan.identity = Some(Identity::Unknown);
        }
    }
    let identity = plan.identity.unwrap_or(identity);
    if plan.known_first_name.is_none() {
        if let Some(name) = names::extract_name_reply(latest, asked_before) {
            plan.learn(name);
            return plan;
        }
    }
    if linked.is_none() && identity == Identity::Unknown && customer_messages <= IDENTITY_WINDOW {
        if let Some(client) = matched.filter(|c| c.first_name.is_some()) {
            plan.identity = Some(Identity::Pending);
            plan.confirm = Some(client);
            return plan;
        }
    }
    if plan.known_first_name.is_none() && conversation.name_requests < MAX_NAME_REQUESTS {
        plan.ask_for_name = true;
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ClientId, TenantId};
    use chrono::Utc;

    fn conversation() -> ConversationRow {
        ConversationRow::example()
    }

    fn client(first: &str) -> ClientRow {
        ClientRow {
            id: ClientId::random(),
            tenant_id: TenantId::random(),
            first_name: Some(first.into()),
            last_name: Some("Lee".into()),
            phone_number: Some("+14165551234".into()),
            company: None,
            email: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_new_customer_without_a_name_is_asked_for_it() {
        let plan = plan_names(
            &conversation(),
            None,
            None,
            1,
            "Do you have openings Friday?",
        );
        assert!(plan.ask_for_name);
        assert!(plan.known_first_name.is_none());
    }

    #[test]
    fn a_given_name_is_used_and_not_asked_for_again() {
        let mut asked = conversation();
        asked.name_requests = 1;
        let plan = plan_names(&asked, None, None, 2, "It's Priya");
        assert_eq!(plan.known_first_name.as_deref(), Some("Priya"));
        assert!(!plan.ask_for_name);
        assert_eq!(plan.extracted.map(|n| n.first), Some("Priya".into()));
    }

    #[test]
    fn a_known_number_is_confirmed_before_anything_else() {
        let plan = plan_names(&conversation(), None, Some(client("Sarah")), 1, "Hi there");
        assert_eq!(
            plan.confirm.and_then(|c| c.first_name),
            Some("Sarah".into())
        );
        assert_eq!(plan.identity, Some(Identity::Pending));
        assert!(
            plan.known_first_name.is_none(),
            "not addressed by the record's name before a yes"
        );
        // Past the first two messages, no more identity question.
        let late = plan_names(&conversation(), None, Some(client("Sarah")), 3, "Hi there");
        assert!(late.confirm.is_none());
    }

    #[test]
    fn yes_links_and_no_declines() {
        let mut pending = conversation();
        pending.identity = Identity::Pending;
        let yes = plan_names(&pending, None, Some(client("Sarah")), 2, "Yes, that's me");
        assert_eq!(yes.identity, Some(Identity::Verified));
        assert!(yes.link.is_some());
        assert_eq!(yes.known_first_name.as_deref(), Some("Sarah"));
        let no = plan_names(&pending, None, Some(client("Sarah")), 2, "No, wrong person");
        assert_eq!(no.identity, Some(Identity::Declined));
        assert!(no.link.is_none());
        assert!(no.ask_for_name, "asks for the name instead");
    }

    #[test]
    fn an_agents_contact_name_counts_as_known() {
        let mut named = conversation();
        named.contact_name = Some("Sam Ortiz".into());
        let plan = plan_names(&named, None, None, 1, "hello");
        assert_eq!(plan.known_first_name.as_deref(), Some("Sam"));
        assert!(!plan.ask_for_name);
    }
}
