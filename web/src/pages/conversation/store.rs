//! The open conversation's state, like the inbox's [`Inbox`]: the conversation, its history
//! with the messages being sent, and what the header offers; loaded, kept fresh by the feed,
//! and changed by the person.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::{
    AiResponseGenerated, Assistant, ContactIdentified, Conversation, ConversationId, Direction,
    FeedPayload, Media, MediaId, MediaStatus, Message, MessageId, Note, UpdateConversation,
    UpdateMessage, User,
};

use crate::api::Api;
use crate::components::status::{is_waiting, status_rank};
use crate::feed::FeedMessage;
use crate::pages::inbox::Inbox;
use crate::util::Debouncer;

/// Messages per page of history.
const HISTORY_PAGE: u32 = 50;

/// A line of the timeline: a message the server knows, an internal note, or a message being
/// sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    Server(Message),
    Note(Note),
    Pending {
        local: u64,
        text: String,
        /// Pictures and files already uploaded for it.
        media: Vec<Media>,
        /// When it is to leave, for a message sent later.
        send_at: Option<DateTime<Utc>>,
        error: Option<String>,
    },
}

impl Row {
    pub fn key(&self) -> String {
        match self {
            // Media arriving later (`message.updated`) shows the row again, and so does an
            // edit of a scheduled message (its time or text).
            Row::Server(message) => format!(
                "{}:{}:{}:{}:{:?}:{}",
                message.id,
                message.status.as_str(),
                message.error.is_some(),
                message
                    .media
                    .iter()
                    .map(|item| item.status.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                message.scheduled_at.map(|at| at.timestamp()),
                // Only a message that waits can still change its text.
                if is_waiting(message.status) {
                    message.text.as_str()
                } else {
                    ""
                },
            ),
            Row::Note(note) => format!("note-{}", note.id),
            Row::Pending { local, error, .. } => format!("local-{local}:{}", error.is_some()),
        }
    }

    /// When the server recorded it; a row being sent has no time yet and comes last.
    fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self {
            Row::Server(message) => Some(message.created_at),
            Row::Note(note) => Some(note.created_at),
            Row::Pending { .. } => None,
        }
    }
}

/// Where a row written at `at` goes: after everything the server recorded up to then, before
/// the rows being sent.
fn position_for(rows: &[Row], at: chrono::DateTime<chrono::Utc>) -> usize {
    rows.iter()
        .position(|row| row.created_at().is_none_or(|created| created > at))
        .unwrap_or(rows.len())
}

/// Puts a note in time order, once.
fn upsert_note(rows: &mut Vec<Row>, note: Note) {
    if rows
        .iter()
        .any(|row| matches!(row, Row::Note(n) if n.id == note.id))
    {
        return;
    }
    let index = position_for(rows, note.created_at);
    rows.insert(index, Row::Note(note));
}

/// The ids of a message's items, in order.
fn media_ids(media: &[Media]) -> Vec<MediaId> {
    media.iter().map(|item| item.id).collect()
}

/// Keeps what is known of each item: one fetched (or given up on) never goes back to
/// `pending` because an event written beside its fetch still saw it so (two items of one
/// message fetched at the same time each announce the message as they saw it).
fn settle_media(fresh: &mut [Media], known: &[Media]) {
    for item in fresh.iter_mut() {
        if item.status != MediaStatus::Pending {
            continue;
        }
        if let Some(settled) = known
            .iter()
            .find(|k| k.id == item.id && k.status != MediaStatus::Pending)
        {
            *item = settled.clone();
        }
    }
}

/// Puts a server message in place: replaces its older self, or a pending row with the same
/// text and media (the answer to our own send), or goes in time order before the pending rows.
fn upsert(rows: &mut Vec<Row>, message: Message, pending_local: Option<u64>) {
    if let Some(Row::Server(existing)) = rows
        .iter_mut()
        .find(|row| matches!(row, Row::Server(m) if m.id == message.id))
    {
        let mut message = message;
        settle_media(&mut message.media, &existing.media);
        if status_rank(message.status) >= status_rank(existing.status) {
            *existing = message;
        } else if message.media != existing.media {
            // An older status with newer media (`message.updated` after a receipt).
            existing.media = message.media;
            existing.message_type = message.message_type;
        }
        if let Some(local) = pending_local {
            rows.retain(|row| !matches!(row, Row::Pending { local: l, .. } if *l == local));
        }
        return;
    }
    let replaced = match pending_local {
        Some(local) => rows
            .iter()
            .position(|row| matches!(row, Row::Pending { local: l, .. } if *l == local)),
        None if message.direction == Direction::Outbound => rows.iter().position(|row| {
            matches!(row, Row::Pending { text, media, send_at, error: None, .. }
                if *text == message.text && media_ids(media) == media_ids(&message.media)
                    && send_at.is_some() == message.scheduled_at.is_some())
        }),
        None => None,
    };
    if let Some(index) = replaced {
        rows[index] = Row::Server(message);
        return;
    }
    let index = position_for(rows, message.created_at);
    rows.insert(index, Row::Server(message));
}

/// Sets (or clears) the error of the pending row `local`.
fn set_pending_error(rows: &mut [Row], local: u64, reason: Option<String>) {
    for row in rows {
        if let Row::Pending {
            local: l, error, ..
        } = row
        {
            if *l == local {
                *error = reason.clone();
            }
        }
    }
}

/// What a feed message asks of the conversation `id`.
#[derive(Debug, PartialEq)]
enum FeedChange<'a> {
    /// A message of this conversation, new or further along; `unread` when the customer
    /// just wrote it.
    Message { message: &'a Message, unread: bool },
    /// A newer version of this conversation.
    Conversation(&'a Conversation),
    /// A note written in this conversation.
    Note(&'a Note),
    /// Events may have been missed: load the conversation and the latest messages again.
    Reload,
    /// An opt-out changed: the conversation's marker may have too.
    ReloadConversation,
    /// Nothing here.
    None,
}

fn feed_change(id: ConversationId, message: &FeedMessage) -> FeedChange<'_> {
    let payload = match message {
        FeedMessage::Resync => return FeedChange::Reload,
        FeedMessage::Event(payload) => payload,
    };
    match payload {
        FeedPayload::MessageCreated(message)
        | FeedPayload::MessageStatusUpdated(message)
        | FeedPayload::MessageUpdated(message)
        | FeedPayload::AiResponseGenerated(AiResponseGenerated { message, .. })
            if message.conversation_id == id =>
        {
            let unread = matches!(payload, FeedPayload::MessageCreated(_))
                && message.direction == Direction::Inbound;
            FeedChange::Message { message, unread }
        }
        FeedPayload::ConversationCreated(conversation)
        | FeedPayload::ConversationUpdated(conversation)
        | FeedPayload::ContactIdentified(ContactIdentified { conversation, .. })
            if conversation.id == id =>
        {
            FeedChange::Conversation(conversation)
        }
        FeedPayload::NoteCreated(note) if note.conversation_id == id => FeedChange::Note(note),
        FeedPayload::OptOutChanged(_) => FeedChange::ReloadConversation,
        _ => FeedChange::None,
    }
}

/// One conversation as shown, shared by its header, history and composer.
#[derive(Clone, Copy)]
pub struct ConversationStore {
    pub id: ConversationId,
    pub conversation: RwSignal<Option<Conversation>>,
    /// Why the conversation could not be shown: whether it is missing, and the message.
    pub load_error: RwSignal<Option<(bool, String)>>,
    pub rows: RwSignal<Vec<Row>>,
    pub history_loaded: RwSignal<bool>,
    /// Where the older messages start, while there are some.
    pub older_cursor: RwSignal<Option<String>>,
    pub loading_older: RwSignal<bool>,
    /// A refused change, or older messages that would not load: shown in the header.
    pub header_error: RwSignal<Option<String>>,
    /// The tenant's assistants, for the header's choice.
    pub assistants: RwSignal<Vec<Assistant>>,
    /// The tenant's people, for the header's assignment (the list's, loaded once).
    pub users: RwSignal<Vec<User>>,
    /// Whether the conversation has an AI guide (`None` until known).
    pub has_guide: RwSignal<Option<bool>>,
    /// Why the pictures and files of a send were refused (`mms_not_supported`…): shown beside
    /// the composer.
    pub media_error: RwSignal<Option<String>>,
    /// The history's list, which follows new messages while it is scrolled to the end.
    pub list: NodeRef<leptos::html::Ol>,
    next_local: StoredValue<u64>,
    read_later: Debouncer,
    inbox: Inbox,
    api: Api,
}

impl ConversationStore {
    /// The store of conversation `id`, owned by the calling component; [`Self::load`] fills it.
    pub fn new(id: ConversationId) -> Self {
        ConversationStore {
            id,
            conversation: RwSignal::new(None),
            load_error: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            history_loaded: RwSignal::new(false),
            older_cursor: RwSignal::new(None),
            loading_older: RwSignal::new(false),
            header_error: RwSignal::new(None),
            assistants: RwSignal::new(Vec::new()),
            users: expect_context::<Inbox>().users,
            has_guide: RwSignal::new(None),
            media_error: RwSignal::new(None),
            list: NodeRef::new(),
            next_local: StoredValue::new(0),
            read_later: Debouncer::new(Duration::from_millis(250)),
            inbox: expect_context::<Inbox>(),
            api: Api::new(),
        }
    }

    /// Loads everything shown: the conversation, its latest messages, the assistants and
    /// whether it has a guide.
    pub fn load(&self) {
        let store = *self;
        self.refresh();
        spawn_local(async move {
            if let Ok(list) = store.api.assistants().await {
                store.assistants.try_set(list);
            }
        });
        spawn_local(async move {
            if let Ok(guide) = store.api.guide(store.id).await {
                store.has_guide.try_set(Some(guide.is_some()));
            }
        });
    }

    /// Loads the conversation, the latest messages and the notes again (events may have been
    /// missed).
    pub fn refresh(&self) {
        self.load_conversation();
        self.load_latest();
        self.load_notes();
    }

    fn load_notes(&self) {
        let store = *self;
        spawn_local(async move {
            match store.api.notes(store.id).await {
                Ok(notes) => {
                    store.rows.try_update(|rows| {
                        for note in notes {
                            upsert_note(rows, note);
                        }
                    });
                }
                Err(failure) => {
                    store.header_error.try_set(Some(failure.message()));
                }
            }
        });
    }

    /// Adds an internal note; a refusal shows in the header with the note's text, so that
    /// nothing written is lost.
    pub fn add_note(&self, text: String) {
        self.header_error.set(None);
        let store = *self;
        spawn_local(async move {
            match store.api.add_note(store.id, &text).await {
                Ok(note) => {
                    store.rows.try_update(|rows| upsert_note(rows, note));
                    store.scroll_to_end();
                }
                Err(failure) => {
                    store.header_error.try_set(Some(format!(
                        "The note was not saved ({}): “{text}”",
                        failure.message()
                    )));
                }
            }
        });
    }

    /// Reads the conversation once it is loaded (tracked: readers re-run when it changes).
    pub fn read<T>(&self, read: impl FnOnce(&Conversation) -> T) -> Option<T> {
        self.conversation.with(|c| c.as_ref().map(read))
    }

    /// The name the conversation goes by: the contact's, or the phone number.
    pub fn title(&self) -> Option<String> {
        self.read(|c| {
            c.contact_name
                .clone()
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| crate::util::phone_for_people(&c.phone_number))
        })
    }

    /// Why nothing can be sent right now, if that is so.
    pub fn blocked(&self) -> Option<String> {
        self.read(|c| c.opted_out).unwrap_or(false).then(|| {
            "This customer opted out (STOP). Nothing can be sent until they text START.".to_string()
        })
    }

    /// Shows a newer version of the conversation (an older answer never moves it back).
    fn show(&self, fresh: Conversation) {
        // Called from answers that may come after the page is gone.
        let newer = self
            .conversation
            .try_with_untracked(|c| c.as_ref().is_none_or(|c| fresh.updated_at >= c.updated_at));
        if newer == Some(true) {
            self.conversation.set(Some(fresh));
        }
    }

    /// Shows the server's answer here and in the list.
    fn apply_conversation(&self, fresh: Conversation) {
        self.show(fresh.clone());
        self.inbox.apply(fresh);
    }

    fn mark_read(&self) {
        let store = *self;
        spawn_local(async move {
            if let Ok(fresh) = store.api.mark_read(store.id).await {
                store.apply_conversation(fresh);
            }
        });
    }

    fn load_conversation(&self) {
        let store = *self;
        spawn_local(async move {
            match store.api.conversation(store.id).await {
                Ok(fresh) => {
                    let unread = fresh.unread_count > 0;
                    store.apply_conversation(fresh);
                    if unread {
                        store.mark_read();
                    }
                }
                Err(failure) => {
                    store
                        .load_error
                        .try_set(Some((failure.is_not_found(), failure.message())));
                }
            }
        });
    }

    fn load_latest(&self) {
        let store = *self;
        spawn_local(async move {
            match store.api.messages(store.id, HISTORY_PAGE, None).await {
                Ok(page) => {
                    // The answer may come after the page is gone.
                    let Some(loaded) = store.history_loaded.try_get_untracked() else {
                        return;
                    };
                    let first = !loaded;
                    // Messages that wait may be older than the latest page: read them too.
                    let waiting = store
                        .api
                        .waiting_messages(store.id)
                        .await
                        .map(|waiting| waiting.data)
                        .unwrap_or_default();
                    store.rows.try_update(|rows| {
                        for message in page.data.into_iter().chain(waiting) {
                            upsert(rows, message, None);
                        }
                    });
                    if first {
                        store.older_cursor.set(page.next_cursor);
                        store.history_loaded.set(true);
                        store.scroll_to_end();
                    }
                }
                Err(failure) => {
                    store
                        .load_error
                        .try_set(Some((failure.is_not_found(), failure.message())));
                }
            }
        });
    }

    /// The page of history before the oldest message shown.
    pub fn load_older(&self) {
        let Some(cursor) = self.older_cursor.get_untracked() else {
            return;
        };
        if self.loading_older.get_untracked() {
            return;
        }
        self.loading_older.set(true);
        let store = *self;
        spawn_local(async move {
            match store
                .api
                .messages(store.id, HISTORY_PAGE, Some(&cursor))
                .await
            {
                Ok(page) => {
                    store.rows.update(|rows| {
                        for message in page.data {
                            upsert(rows, message, None);
                        }
                    });
                    store.older_cursor.set(page.next_cursor);
                }
                Err(failure) => store.header_error.set(Some(failure.message())),
            }
            store.loading_older.try_set(false);
        });
    }

    /// Takes in what the feed says.
    pub fn apply_feed(&self, message: &FeedMessage) {
        match feed_change(self.id, message) {
            FeedChange::Message { message, unread } => {
                let follow = self.near_end();
                self.rows.update(|rows| upsert(rows, message.clone(), None));
                if follow {
                    self.scroll_to_end();
                }
                if unread {
                    let store = *self;
                    self.read_later.call(move || store.mark_read());
                }
            }
            // The inbox takes the same event in on its own.
            FeedChange::Conversation(fresh) => self.show(fresh.clone()),
            FeedChange::Note(note) => {
                let follow = self.near_end();
                self.rows.update(|rows| upsert_note(rows, note.clone()));
                if follow {
                    self.scroll_to_end();
                }
            }
            FeedChange::Reload => self.refresh(),
            FeedChange::ReloadConversation => self.load_conversation(),
            FeedChange::None => {}
        }
    }

    /// Sends a new message (with the uploaded `media`, if any), at once or at `send_at`:
    /// shown at once as pending, then as the server's answer.
    pub fn send(&self, text: String, media: Vec<Media>, send_at: Option<DateTime<Utc>>) {
        let local = self.next_local.get_value() + 1;
        self.next_local.set_value(local);
        self.media_error.set(None);
        self.rows.update(|rows| {
            rows.push(Row::Pending {
                local,
                text: text.clone(),
                media: media.clone(),
                send_at,
                error: None,
            })
        });
        self.deliver(local, text, media_ids(&media), send_at);
    }

    /// Sends the pending row `local` again after a failure.
    pub fn retry(
        &self,
        local: u64,
        text: String,
        media: Vec<MediaId>,
        send_at: Option<DateTime<Utc>>,
    ) {
        self.media_error.set(None);
        self.rows
            .update(|rows| set_pending_error(rows, local, None));
        self.deliver(local, text, media, send_at);
    }

    /// Shows the server's answer about one message (an edit, a cancellation, a send now).
    fn put(&self, message: Message) {
        self.rows.try_update(|rows| upsert(rows, message, None));
    }

    /// Changes a scheduled message's text or time; the refusal (409 `not_scheduled` when it
    /// left meanwhile, 422 for a time in the past) goes to the caller, which shows it by the
    /// message.
    pub async fn edit_scheduled(
        &self,
        id: MessageId,
        changes: UpdateMessage,
    ) -> Result<(), crate::api::ApiError> {
        let result = self.api.update_message(id, &changes).await;
        self.after_change(result)
    }

    /// Cancels a scheduled message (it stays in the thread, struck through).
    pub async fn cancel_scheduled(&self, id: MessageId) -> Result<(), crate::api::ApiError> {
        let result = self.api.cancel_message(id).await;
        self.after_change(result)
    }

    /// Sends a scheduled or held message at once (admins).
    pub async fn send_now(&self, id: MessageId) -> Result<(), crate::api::ApiError> {
        let result = self.api.send_now(id).await;
        self.after_change(result)
    }

    /// Shows the changed message; a 409 means it changed under us (it left, or a teammate
    /// cancelled it): the latest messages are read again so that the row shows why.
    fn after_change(
        &self,
        result: Result<Message, crate::api::ApiError>,
    ) -> Result<(), crate::api::ApiError> {
        match result {
            Ok(message) => {
                self.put(message);
                Ok(())
            }
            Err(failure) => {
                if matches!(failure, crate::api::ApiError::Status { status: 409, .. }) {
                    self.load_latest();
                }
                Err(failure)
            }
        }
    }

    /// Sends a message the carrier refused or could not deliver again, as a new message; a
    /// refusal (already retried, opted out) shows in the header.
    pub fn retry_failed(&self, message: MessageId) {
        self.header_error.set(None);
        let store = *self;
        spawn_local(async move {
            match store.api.retry_message(message).await {
                Ok(sent) => {
                    store.rows.try_update(|rows| upsert(rows, sent, None));
                    store.scroll_to_end();
                }
                Err(failure) => {
                    store.header_error.try_set(Some(failure.message()));
                }
            }
        });
    }

    fn deliver(
        &self,
        local: u64,
        text: String,
        media: Vec<MediaId>,
        send_at: Option<DateTime<Utc>>,
    ) {
        self.scroll_to_end();
        let store = *self;
        spawn_local(async move {
            match store
                .api
                .send_message(store.id, &text, &media, send_at)
                .await
            {
                Ok(message) => store.rows.update(|rows| upsert(rows, message, Some(local))),
                Err(failure) => {
                    let reason = failure.message();
                    // The pictures cannot go (`mms_not_supported`, `mms_too_large`…): said
                    // beside the composer too, where the next attempt is written.
                    if failure.field() == Some("media_ids")
                        || failure.code().is_some_and(|code| code.starts_with("mms"))
                    {
                        store.media_error.try_set(Some(reason.clone()));
                    }
                    store
                        .rows
                        .update(|rows| set_pending_error(rows, local, Some(reason)));
                    if failure.code().is_some_and(|code| code.contains("opt")) {
                        store.load_conversation();
                    }
                }
            }
        });
    }

    /// Changes the conversation (header controls); a refusal shows in the header.
    pub fn update(&self, changes: UpdateConversation) {
        self.header_error.set(None);
        let store = *self;
        spawn_local(async move {
            match store.api.update_conversation(store.id, &changes).await {
                Ok(fresh) => store.apply_conversation(fresh),
                Err(failure) => {
                    store.header_error.try_set(Some(failure.message()));
                    // Show the server's state again (a select may show the refused value).
                    store.conversation.try_update(|_| ());
                }
            }
        });
    }

    /// Changes the conversation and answers a refusal to the caller, which shows it by its
    /// field (the contact panel's forms) rather than in the header.
    pub async fn save(&self, changes: &UpdateConversation) -> Result<(), crate::api::ApiError> {
        let fresh = self.api.update_conversation(self.id, changes).await?;
        self.apply_conversation(fresh);
        Ok(())
    }

    fn scroll_to_end(&self) {
        let list = self.list;
        // The frame may come after the page is gone (the agent went back to the list).
        leptos::leptos_dom::helpers::request_animation_frame(move || {
            if let Some(list) = list.try_get_untracked().flatten() {
                list.set_scroll_top(list.scroll_height());
            }
        });
    }

    /// Whether the history is scrolled (nearly) to its end.
    fn near_end(&self) -> bool {
        self.list.get_untracked().is_none_or(|list| {
            list.scroll_height() - list.scroll_top() - list.client_height() < 120
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley::wire::OptOutChanged;
    use uuid::Uuid;

    fn message(id: u128, text: &str, status: &str, minute: u32) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": Uuid::from_u128(id),
            "conversation_id": Uuid::from_u128(99),
            "direction": "outbound", "author": "agent", "text": text, "encoding": "GSM-7",
            "segments": 1, "status": status, "error": null, "telnyx_message_id": null,
            "created_at": format!("2026-11-25T10:{minute:02}:00Z"), "sent_at": null, "delivered_at": null
        }))
        .expect("message")
    }

    #[test]
    fn the_servers_answer_replaces_the_pending_row() {
        let mut rows = vec![Row::Pending {
            local: 1,
            text: "Hi".into(),
            media: Vec::new(),
            send_at: None,
            error: None,
        }];
        upsert(&mut rows, message(1, "Hi", "queued", 1), Some(1));
        assert_eq!(rows, vec![Row::Server(message(1, "Hi", "queued", 1))]);
        // A later receipt moves it on; an older answer never moves it back.
        upsert(&mut rows, message(1, "Hi", "delivered", 1), None);
        upsert(&mut rows, message(1, "Hi", "sending", 1), None);
        assert_eq!(rows, vec![Row::Server(message(1, "Hi", "delivered", 1))]);
    }

    #[test]
    fn the_feed_may_come_before_the_answer() {
        let mut rows = vec![Row::Pending {
            local: 7,
            text: "Hello".into(),
            media: Vec::new(),
            send_at: None,
            error: None,
        }];
        upsert(&mut rows, message(2, "Hello", "queued", 2), None);
        assert_eq!(rows.len(), 1);
        upsert(&mut rows, message(2, "Hello", "queued", 2), Some(7));
        assert_eq!(rows, vec![Row::Server(message(2, "Hello", "queued", 2))]);
    }

    #[test]
    fn messages_go_in_time_order_before_pending_ones() {
        let mut rows = vec![
            Row::Server(message(1, "a", "sent", 1)),
            Row::Server(message(3, "c", "sent", 3)),
            Row::Pending {
                local: 1,
                text: "d".into(),
                media: Vec::new(),
                send_at: None,
                error: None,
            },
        ];
        upsert(&mut rows, message(2, "b", "sent", 2), None);
        let texts: Vec<String> = rows
            .iter()
            .map(|row| match row {
                Row::Server(m) => m.text.clone(),
                Row::Note(n) => n.text.clone(),
                Row::Pending { text, .. } => text.clone(),
            })
            .collect();
        assert_eq!(texts, ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_failed_send_is_marked_and_a_retry_clears_it() {
        let mut rows = vec![
            Row::Pending {
                local: 1,
                text: "a".into(),
                media: Vec::new(),
                send_at: None,
                error: None,
            },
            Row::Pending {
                local: 2,
                text: "b".into(),
                media: Vec::new(),
                send_at: None,
                error: None,
            },
        ];
        set_pending_error(&mut rows, 2, Some("refused".into()));
        assert!(matches!(&rows[0], Row::Pending { error: None, .. }));
        assert!(matches!(&rows[1], Row::Pending { error: Some(e), .. } if e == "refused"));
        set_pending_error(&mut rows, 2, None);
        assert!(matches!(&rows[1], Row::Pending { error: None, .. }));
    }

    #[test]
    fn a_scheduled_message_changes_in_place_and_moves_on() {
        let mut scheduled = message(8, "Hi", "scheduled", 8);
        scheduled.scheduled_at = Some("2026-11-26T14:00:00Z".parse().expect("time"));
        let mut rows = vec![Row::Pending {
            local: 3,
            text: "Hi".into(),
            media: Vec::new(),
            send_at: scheduled.scheduled_at,
            error: None,
        }];
        upsert(&mut rows, scheduled.clone(), Some(3));
        assert_eq!(rows, vec![Row::Server(scheduled.clone())]);
        let before = rows[0].key();
        // An edit (`message.updated`): same status, new text, drawn again.
        let mut edited = scheduled.clone();
        edited.text = "Hi there".into();
        upsert(&mut rows, edited.clone(), None);
        assert_eq!(rows, vec![Row::Server(edited.clone())]);
        assert_ne!(rows[0].key(), before);
        // It leaves: queued, and a late echo of the edit does not bring it back.
        let mut queued = edited.clone();
        queued.status = parley::wire::MessageStatus::Queued;
        upsert(&mut rows, queued.clone(), None);
        upsert(&mut rows, edited, None);
        assert_eq!(rows, vec![Row::Server(queued)]);
    }

    #[test]
    fn a_scheduled_answer_does_not_take_an_immediate_pending_row() {
        let mut rows = vec![Row::Pending {
            local: 1,
            text: "Hi".into(),
            media: Vec::new(),
            send_at: None,
            error: None,
        }];
        let mut scheduled = message(9, "Hi", "scheduled", 9);
        scheduled.scheduled_at = Some("2026-11-26T14:00:00Z".parse().expect("time"));
        upsert(&mut rows, scheduled, None);
        assert_eq!(rows.len(), 2);
        assert!(
            matches!(rows[1], Row::Pending { local: 1, .. })
                || matches!(rows[0], Row::Pending { local: 1, .. })
        );
    }

    fn item(id: u128, status: &str) -> Media {
        serde_json::from_value(serde_json::json!({
            "id": Uuid::from_u128(id), "content_type": "image/png", "size": 10,
            "sha256": null, "url": format!("/api/v1/media/{}", Uuid::from_u128(id)),
            "status": status,
        }))
        .expect("media")
    }

    #[test]
    fn media_arriving_later_replaces_the_message_and_shows_it_again() {
        let mut pending = message(4, "", "received", 4);
        pending.media = vec![item(40, "pending")];
        let mut rows = vec![Row::Server(pending.clone())];
        let before = rows[0].key();
        let mut stored = pending.clone();
        stored.media = vec![item(40, "stored")];
        upsert(&mut rows, stored.clone(), None);
        assert_eq!(rows, vec![Row::Server(stored.clone())]);
        assert_ne!(rows[0].key(), before, "the row is drawn again");
        // A receipt with an older status still brings newer media.
        let mut late = stored.clone();
        late.status = parley::wire::MessageStatus::Sent;
        late.media = vec![item(40, "stored")];
        let mut delivered = pending;
        delivered.status = parley::wire::MessageStatus::Delivered;
        rows = vec![Row::Server(delivered)];
        upsert(&mut rows, late, None);
        assert!(
            matches!(&rows[0], Row::Server(m) if m.media[0].status == parley::wire::MediaStatus::Stored)
        );
    }

    #[test]
    fn an_item_never_goes_back_to_pending() {
        let mut first = message(6, "", "received", 6);
        first.media = vec![item(60, "stored"), item(61, "pending")];
        let mut rows = vec![Row::Server(first)];
        // The other item's fetch announced the message as it saw it, the first still pending.
        let mut second = message(6, "", "received", 6);
        second.media = vec![item(60, "pending"), item(61, "stored")];
        upsert(&mut rows, second, None);
        let Row::Server(shown) = &rows[0] else {
            panic!("a message");
        };
        let statuses: Vec<_> = shown.media.iter().map(|m| m.status).collect();
        assert_eq!(statuses, [MediaStatus::Stored, MediaStatus::Stored]);
    }
    #[test]
    fn our_mms_replaces_its_pending_row_by_text_and_media() {
        let mut sent = message(5, "", "queued", 5);
        sent.media = vec![item(50, "stored")];
        let mut rows = vec![
            Row::Pending {
                local: 1,
                text: String::new(),
                media: vec![item(51, "stored")],
                send_at: None,
                error: None,
            },
            Row::Pending {
                local: 2,
                text: String::new(),
                media: vec![item(50, "stored")],
                send_at: None,
                error: None,
            },
        ];
        upsert(&mut rows, sent.clone(), None);
        assert!(matches!(&rows[0], Row::Pending { local: 1, .. }));
        assert_eq!(rows[1], Row::Server(sent));
    }

    /// A feed frame as the server sends it, read as the feed reads it.
    fn event(kind: &str, data: serde_json::Value) -> FeedMessage {
        let frame = serde_json::json!({
            "id": 1, "type": kind, "occurred_at": "2026-11-25T10:00:00Z", "data": data,
        });
        FeedMessage::parse(&frame.to_string()).expect("event").1
    }

    #[test]
    fn the_feed_changes_only_this_conversation() {
        let ours = ConversationId(Uuid::from_u128(99));
        let mut inbound = serde_json::to_value(message(1, "Hi", "received", 1)).expect("json");
        inbound["direction"] = "inbound".into();
        inbound["author"] = "customer".into();

        let created = event("message.created", inbound.clone());
        assert!(matches!(
            feed_change(ours, &created),
            FeedChange::Message { unread: true, .. }
        ));
        // A receipt, or our own message, is nothing new to read.
        let updated = event("message.status_updated", inbound.clone());
        assert!(matches!(
            feed_change(ours, &updated),
            FeedChange::Message { unread: false, .. }
        ));
        let ai = event(
            "ai.response_generated",
            serde_json::json!({
                "conversation_id": ours, "message": message(2, "Hello", "queued", 2),
                "provider": "offline_demo", "offline_demo": true, "model": "demo",
                "prompt_tokens": null, "completion_tokens": null,
            }),
        );
        assert!(matches!(
            feed_change(ours, &ai),
            FeedChange::Message { message, unread: false } if message.text == "Hello"
        ));
        // Another conversation's message is not ours.
        assert_eq!(
            feed_change(ConversationId(Uuid::from_u128(5)), &created),
            FeedChange::None
        );

        let conversation = serde_json::json!({
            "id": ours, "phone_number": "+14165551234", "tenant_phone_number": "+14165550100",
            "contact_name": "Ada", "company": null, "client_id": null, "assistant_id": null,
            "status": "active", "qualification_status": "new", "channel": "sms",
            "ai_enabled": true, "opted_out": false, "identity": "unknown",
            "last_message_at": null, "last_message_preview": null, "unread_count": 0,
            "previous_conversation_id": null, "ai_paused_until": null, "ai_error": null,
            "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z",
        });
        let updated = event("conversation.updated", conversation.clone());
        assert!(matches!(
            feed_change(ours, &updated),
            FeedChange::Conversation(c) if c.id == ours
        ));
        let identified = event(
            "contact.identified",
            serde_json::json!({ "source": "message", "name": "Ada", "conversation": conversation }),
        );
        assert!(matches!(
            feed_change(ours, &identified),
            FeedChange::Conversation(c) if c.contact_name.as_deref() == Some("Ada")
        ));
        assert_eq!(
            feed_change(ConversationId(Uuid::from_u128(5)), &identified),
            FeedChange::None
        );

        let opt_out = FeedMessage::Event(FeedPayload::OptOutChanged(OptOutChanged {
            phone_number: "+14165551234".into(),
            opted_out: true,
            opt_out: None,
        }));
        assert_eq!(feed_change(ours, &opt_out), FeedChange::ReloadConversation);
        assert_eq!(feed_change(ours, &FeedMessage::Resync), FeedChange::Reload);
    }
}
