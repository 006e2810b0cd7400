//! Canned replies in the SPA: the tenant's list, loaded once per visit, kept current by the
//! feed and shared by the Canned replies page and every composer; finding the `/query` being typed; filling a reply
//! in with `parley::templates`, the code that answers the server's render endpoint.

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::ids::CannedReplyId;
use parley::templates::{ContactNames, Template, TemplateContext};
use parley::wire::{CannedReply, Conversation, FeedPayload, Me};

use crate::api::Api;
use crate::feed::FeedMessage;

/// The tenant's canned replies, provided as context by the signed-in shell. Nothing is
/// fetched until a page or a composer asks ([`CannedReplies::ensure_loaded`]).
#[derive(Clone, Copy)]
pub struct CannedReplies {
    /// The replies in shortcut order; `None` until the first answer.
    pub list: RwSignal<Option<Vec<CannedReply>>>,
    /// Why the last load failed, until one succeeds.
    pub error: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    /// Which load is the latest: an older answer arriving late is dropped.
    generation: StoredValue<u64>,
    api: Api,
}

/// Shortcut order as the server lists it (regardless of case).
fn sort(list: &mut [CannedReply]) {
    list.sort_by_key(|reply| reply.shortcut.to_ascii_lowercase());
}

impl CannedReplies {
    pub fn new() -> Self {
        CannedReplies {
            list: RwSignal::new(None),
            error: RwSignal::new(None),
            loading: RwSignal::new(false),
            generation: StoredValue::new(0),
            api: Api::new(),
        }
    }

    /// The shell's store.
    pub fn get() -> Self {
        expect_context::<CannedReplies>()
    }

    /// Loads the list unless it is loaded or on its way.
    pub fn ensure_loaded(&self) {
        if self.list.with_untracked(Option::is_none) && !self.loading.get_untracked() {
            self.reload();
        }
    }

    /// Reads the list again (after a change, or to retry a failed load).
    pub fn reload(&self) {
        let this = *self;
        let seq = this.generation.get_value() + 1;
        this.generation.set_value(seq);
        this.loading.set(true);
        spawn_local(async move {
            let answer = this.api.canned_replies().await;
            if this.generation.try_get_value() != Some(seq) {
                return;
            }
            match answer {
                Ok(mut list) => {
                    sort(&mut list);
                    this.list.try_set(Some(list));
                    this.error.try_set(None);
                }
                Err(failure) => {
                    this.error.try_set(Some(failure.message()));
                }
            }
            this.loading.try_set(false);
        });
    }

    /// Shows a saved reply at once (the reload that follows confirms the whole list).
    pub fn saved(&self, reply: CannedReply) {
        self.put(reply);
        self.reload();
    }

    pub fn deleted(&self, id: CannedReplyId) {
        self.remove(id);
        self.reload();
    }

    fn put(&self, reply: CannedReply) {
        self.list.update(|list| {
            let list = list.get_or_insert_with(Vec::new);
            match list.iter_mut().find(|r| r.id == reply.id) {
                Some(existing) => *existing = reply,
                None => list.push(reply),
            }
            sort(list);
        });
    }

    fn remove(&self, id: CannedReplyId) {
        self.list.update(|list| {
            if let Some(list) = list {
                list.retain(|r| r.id != id);
            }
        });
    }

    /// Keeps a loaded list current with the team's changes from the feed (a list never
    /// loaded stays unloaded: it is read whole when first needed).
    pub fn follow(&self, message: &FeedMessage) {
        if self.list.with_untracked(Option::is_none) {
            return;
        }
        match message {
            FeedMessage::Event(
                FeedPayload::CannedReplyCreated(reply) | FeedPayload::CannedReplyUpdated(reply),
            ) => self.put(reply.clone()),
            FeedMessage::Event(FeedPayload::CannedReplyDeleted(gone)) => self.remove(gone.id),
            FeedMessage::Resync => self.reload(),
            FeedMessage::Event(_) => {}
        }
    }
}

/// The `/query` being typed: the byte offset of its `/` and the text after it up to the
/// caret, when the caret ends a word that starts with `/` at the start of the text or after
/// whitespace (so `and/or` and links open nothing).
pub fn slash_query(text: &str, caret: usize) -> Option<(usize, String)> {
    let before = text.get(..caret)?;
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(index, c)| index + c.len_utf8());
    let word = &before[word_start..];
    let query = word.strip_prefix('/')?;
    if query.contains('/') {
        return None;
    }
    Some((word_start, query.to_string()))
}

/// The replies that match `query` by shortcut or title (regardless of case): shortcuts that
/// start with it first, then other shortcuts that contain it, then titles.
pub fn matching<'a>(replies: &'a [CannedReply], query: &str) -> Vec<&'a CannedReply> {
    let query = query.to_lowercase();
    let mut ranked: Vec<(u8, &CannedReply)> = replies
        .iter()
        .filter_map(|reply| {
            let shortcut = reply.shortcut.to_lowercase();
            let rank = if shortcut.starts_with(&query) {
                0
            } else if shortcut.contains(&query) {
                1
            } else if reply.title.to_lowercase().contains(&query) {
                2
            } else {
                return None;
            };
            Some((rank, reply))
        })
        .collect();
    // A stable sort keeps the shortcut order within a rank.
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked.into_iter().map(|(_, reply)| reply).collect()
}

/// What the signed-in person's replies are filled with, whoever the contact is: the person's
/// name (none for an API key, as on the server) and the organisation's.
pub fn sender_context(me: &Me) -> TemplateContext {
    TemplateContext {
        agent_name: me.user.as_ref().map(|user| user.name.clone()),
        tenant_name: Some(me.tenant.name.clone()),
        ..TemplateContext::default()
    }
}

/// What a reply is filled with in this conversation, by the server's rule
/// (`canned_replies::context`), or `None` when that needs the linked client's names, which
/// the SPA does not have (then the server fills it in).
pub fn conversation_context(me: &Me, conversation: &Conversation) -> Option<TemplateContext> {
    let named = conversation
        .contact_name
        .as_deref()
        .is_some_and(|name| !name.trim().is_empty());
    if !named && conversation.client_id.is_some() {
        return None;
    }
    Some(sender_context(me).with_contact(ContactNames {
        contact_name: conversation.contact_name.as_deref(),
        ..ContactNames::default()
    }))
}

/// The reply filled in with `context` (`None` if its text is no template, which the server
/// never stores).
pub fn fill(reply: &CannedReply, context: &TemplateContext) -> Option<String> {
    Template::parse(&reply.text)
        .ok()
        .map(|template| template.render(context))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(shortcut: &str, title: &str) -> CannedReply {
        CannedReply {
            id: CannedReplyId::random(),
            shortcut: shortcut.into(),
            title: title.into(),
            text: "Hi {{contact.first_name|there}}".into(),
            created_at: chrono::DateTime::default(),
            updated_at: chrono::DateTime::default(),
        }
    }

    #[test]
    fn finds_the_slash_word_before_the_caret() {
        assert_eq!(slash_query("/gre", 4), Some((0, "gre".into())));
        assert_eq!(slash_query("/", 1), Some((0, String::new())));
        assert_eq!(slash_query("Hi /gre", 7), Some((3, "gre".into())));
        assert_eq!(slash_query("Hi\n/gre", 7), Some((3, "gre".into())));
        assert_eq!(slash_query("Hi /gre there", 7), Some((3, "gre".into())));
        // Typing on past the word, in another word, or a slash inside a word.
        assert_eq!(slash_query("Hi /gre there", 13), None);
        assert_eq!(slash_query("and/or", 6), None);
        assert_eq!(slash_query("see https://x.y/z", 17), None);
        assert_eq!(slash_query("//x", 3), None);
        // A caret inside a character is no position.
        assert_eq!(slash_query("é/", 1), None);
        assert_eq!(slash_query("é /a", 5), Some((3, "a".into())));
    }

    #[test]
    fn matches_shortcuts_first_then_titles() {
        let replies = [
            reply("bye", "Greeting at the end"),
            reply("greet", "Hello"),
            reply("regreet", "Again"),
            reply("zz", "Other"),
        ];
        let shortcuts = |query: &str| {
            matching(&replies, query)
                .into_iter()
                .map(|r| r.shortcut.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(shortcuts("GRE"), ["greet", "regreet", "bye"]);
        assert_eq!(shortcuts(""), ["bye", "greet", "regreet", "zz"]);
        assert!(shortcuts("nothing").is_empty());
    }
}
