//! The history: older pages on demand, each message with its author, time and delivery
//! state, its pictures and files, and the messages being sent with a way to retry them.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use parley::wire::{AiProvider, Direction, Media, Message, MessageStatus};

use super::scheduled::{ScheduledActions, WaitingWhen};
use super::store::{ConversationStore, Row};
use crate::components::status::{author_label, error_words, is_waiting, MessageStatusBadge};
use crate::media::{MediaItems, MediaViewer};
use crate::util::{list_time, local_time};

/// A line of the list: a row of the timeline, or the heading over the messages that wait to
/// leave (sent later or held), which come last, the way Front and Intercom show them.
#[derive(Clone, Debug, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "one heading per list: boxing every row to shrink it would cost more"
)]
enum Line {
    Row(Row),
    ScheduledHeading,
}

impl Line {
    fn key(&self) -> String {
        match self {
            Line::Row(row) => row.key(),
            Line::ScheduledHeading => "scheduled-heading".to_string(),
        }
    }
}

#[component]
pub fn MessageList(store: ConversationStore) -> impl IntoView {
    let rows = store.rows;
    let loading_older = store.loading_older;
    // The picture open in the viewer.
    let viewer = RwSignal::new(None::<Media>);
    let on_open = Callback::new(move |item: Media| viewer.set(Some(item)));
    view! {
        <ol id="messages" class="messages" node_ref=store.list aria-label="Messages" aria-live="polite">
            <Show when=move || store.older_cursor.with(Option::is_some)>
                <li class="older">
                    <button
                        id="load-older"
                        type="button"
                        class="link-button"
                        on:click=move |_| store.load_older()
                        disabled=move || loading_older.get()
                    >
                        {move || {
                            if loading_older.get() { "Loading…" } else { "Show older messages" }
                        }}
                    </button>
                </li>
            </Show>
            <Show when=move || {
                !store.history_loaded.get() && store.load_error.with(Option::is_none)
            }>
                <li class="placeholder" id="messages-loading">
                    "Loading messages…"
                </li>
            </Show>
            <Show when=move || store.history_loaded.get() && rows.with(Vec::is_empty)>
                <li class="placeholder" id="messages-empty">
                    "No messages yet."
                </li>
            </Show>
            <For each=move || visible_lines(store, crate::util::now()) key=Line::key let:line>
                {match line {
                    Line::Row(row) => view! { <MessageRow row=row store=store on_open=on_open /> }.into_any(),
                    Line::ScheduledHeading => {
                        view! {
                            <li class="scheduled-heading" id="scheduled-heading">
                                <span>"Scheduled"</span>
                            </li>
                        }
                            .into_any()
                    }
                }}
            </For>
        </ol>
        {move || {
            viewer
                .get()
                .map(|item| {
                    view! {
                        <MediaViewer item=item on_close=Callback::new(move |_| viewer.set(None)) />
                    }
                })
        }}
    }
}

/// The lines shown: the timeline (less the notes older than the oldest message loaded while
/// older messages remain to load: they show in place once those do), then under a heading
/// the messages that wait to leave, soonest first.
fn visible_lines(store: ConversationStore, now: DateTime<Utc>) -> Vec<Line> {
    let partial = store.older_cursor.with(Option::is_some);
    store.rows.with(|rows| arrange(rows, partial, now))
}

/// [`visible_lines`] of `rows` (in the store's order: by creation, rows being sent last).
fn arrange(rows: &[Row], partial: bool, now: DateTime<Utc>) -> Vec<Line> {
    let first = rows.iter().find_map(|row| match row {
        Row::Server(message) => Some(message.created_at),
        _ => None,
    });
    let shown = rows.iter().filter(|row| match (row, first) {
        (Row::Note(note), Some(first)) => !partial || note.created_at >= first,
        _ => true,
    });
    let (mut waiting, mut timeline): (Vec<&Row>, Vec<&Row>) = shown.partition(|row| {
        matches!(row, Row::Server(m) if is_waiting(m.status))
            || matches!(
                row,
                Row::Pending {
                    send_at: Some(_),
                    ..
                }
            )
    });
    // A message sent later shows where it left, not where it was written (the sort is
    // stable: everything else keeps the store's order).
    timeline.sort_by_key(|row| match row {
        Row::Server(message) => (false, Some(timeline_time(message, now))),
        Row::Note(note) => (false, Some(note.created_at)),
        Row::Pending { .. } => (true, None),
    });
    waiting.sort_by_key(|row| match row {
        Row::Server(message) => due(message),
        Row::Pending { send_at, .. } => *send_at,
        Row::Note(_) => None,
    });
    let mut lines: Vec<Line> = timeline.into_iter().cloned().map(Line::Row).collect();
    if !waiting.is_empty() {
        lines.push(Line::ScheduledHeading);
        lines.extend(waiting.into_iter().cloned().map(Line::Row));
    }
    lines
}

/// When a waiting message is due: the end of the quiet hours holding it, or its time.
fn due(message: &Message) -> Option<DateTime<Utc>> {
    match message.status {
        MessageStatus::HeldQuietHours => message.held_until.or(message.scheduled_at),
        _ => message.scheduled_at,
    }
}

/// Where a message goes in the timeline: when it was written, or for one sent later that
/// left, when it left (its `sent_at`; until the carrier has it, its time or now, whichever
/// came first).
fn timeline_time(message: &Message, now: DateTime<Utc>) -> DateTime<Utc> {
    match message.scheduled_at {
        Some(at) if message.status != MessageStatus::Cancelled => message
            .sent_at
            .unwrap_or_else(|| at.min(now))
            .max(message.created_at),
        _ => message.created_at,
    }
}

#[component]
fn MessageRow(row: Row, store: ConversationStore, on_open: Callback<Media>) -> impl IntoView {
    match row {
        Row::Note(note) => {
            let time = note.created_at;
            let author = note
                .author_name
                .clone()
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| "Someone on the team".to_string());
            view! {
                <li class="note" data-testid="note" data-id=note.id.to_string()>
                    <div class="bubble">
                        <p class="note-label">"Internal note"</p>
                        <p class="text" data-testid="note-text">{note.text.clone()}</p>
                    </div>
                    <p class="meta">
                        <span class="author">{author}</span>
                        " · "
                        <time datetime=time.to_rfc3339() title=local_time(time)>
                            {list_time(time)}
                        </time>
                        " · not sent to the customer"
                    </p>
                </li>
            }
            .into_any()
        }
        Row::Server(message) => {
            let direction = message.direction.as_str();
            // An agent's message is signed with their name as it was when they wrote it.
            let author = if message.ai_provider == Some(AiProvider::OfflineDemo) {
                "AI (offline demo)".to_string()
            } else {
                message
                    .author_name
                    .clone()
                    .filter(|name| !name.trim().is_empty())
                    .unwrap_or_else(|| author_label(message.author).to_string())
            };
            let state = match message.status {
                MessageStatus::Scheduled => " scheduled",
                MessageStatus::HeldQuietHours => " held",
                MessageStatus::Cancelled => " cancelled",
                _ => "",
            };
            let class = format!(
                "message {direction} author-{}{state}",
                message.author.as_str()
            );
            let time = message.created_at;
            let failure = error_words(&message);
            let segments = message.segments;
            let waiting = is_waiting(message.status);
            // A waiting message says when it leaves instead of when it was written.
            let when = if waiting {
                view! { <WaitingWhen message=message.clone() store=store /> }.into_any()
            } else {
                view! {
                    <time datetime=time.to_rfc3339() title=local_time(time)>
                        {list_time(time)}
                    </time>
                    {(message.direction == Direction::Outbound || message.status != MessageStatus::Received)
                        .then(|| view! { " · " <MessageStatusBadge status=message.status /> })}
                }
                    .into_any()
            };
            let actions =
                waiting.then(|| view! { <ScheduledActions message=message.clone() store=store /> });
            view! {
                <li
                    class=class
                    data-testid="message"
                    data-id=message.id.to_string()
                    data-direction=direction
                    data-author=message.author.as_str()
                    data-status=message.status.as_str()
                >
                    <div class="bubble">
                        <MediaItems media=message.media.clone() on_open=on_open />
                        {(!message.text.is_empty() || message.media.is_empty())
                            .then(|| {
                                view! {
                                    <p class="text" data-testid="message-text">
                                        {message.text.clone()}
                                    </p>
                                }
                            })}
                    </div>
                    <p class="meta">
                        <span class="author">{author}</span>
                        " · "
                        {when}
                        {(segments > 1).then(|| format!(" · {segments} segments"))}
                    </p>
                    {actions}
                    {failure
                        .map(|words| {
                            let retryable = matches!(
                                message.status,
                                MessageStatus::SendingFailed | MessageStatus::DeliveryFailed
                            );
                            let id = message.id;
                            view! {
                                <p class="message-error" data-testid="message-error">
                                    {words}
                                    {retryable
                                        .then(|| {
                                            view! {
                                                " "
                                                <button
                                                    type="button"
                                                    class="link-button"
                                                    data-testid="retry-failed"
                                                    on:click=move |_| store.retry_failed(id)
                                                >
                                                    "Retry"
                                                </button>
                                            }
                                        })}
                                </p>
                            }
                        })}
                </li>
            }
            .into_any()
        }
        Row::Pending {
            local,
            text,
            media,
            send_at,
            error,
        } => {
            let failed = error.is_some();
            let sending = if send_at.is_some() {
                "Scheduling…"
            } else {
                "Sending…"
            };
            let retry_text = text.clone();
            let retry_media: Vec<_> = media.iter().map(|item| item.id).collect();
            let shown_text = (!text.is_empty() || media.is_empty()).then(|| {
                view! { <p class="text" data-testid="message-text">{text}</p> }
            });
            view! {
                <li
                    class="message outbound author-agent pending"
                    data-testid="message"
                    data-direction="outbound"
                    data-author="agent"
                    data-status=if failed { "not_sent" } else { "pending" }
                >
                    <div class="bubble">
                        <MediaItems media=media on_open=on_open />
                        {shown_text}
                    </div>
                    <p class="meta">
                        "Agent · "
                        <span class="status" data-testid="message-status">
                            {if failed { "Not sent" } else { sending }}
                        </span>
                    </p>
                    {error
                        .map(|reason| {
                            view! {
                                <p class="message-error" data-testid="message-error" role="alert">
                                    {reason}
                                    " "
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid="retry-send"
                                        on:click=move |_| {
                                            store
                                                .retry(local, retry_text.clone(), retry_media.clone(), send_at)
                                        }
                                    >
                                        "Retry"
                                    </button>
                                </p>
                            }
                        })}
                </li>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn message(id: u128, status: &str, minute: u32, scheduled_minute: Option<u32>) -> Message {
        let at = |minute: u32| format!("2026-11-25T10:{minute:02}:00Z");
        serde_json::from_value(serde_json::json!({
            "id": Uuid::from_u128(id), "conversation_id": Uuid::from_u128(99),
            "direction": "outbound", "author": "agent", "text": format!("m{id}"),
            "encoding": "GSM-7", "segments": 1, "status": status, "error": null,
            "telnyx_message_id": null, "created_at": at(minute), "sent_at": null,
            "delivered_at": null, "scheduled_at": scheduled_minute.map(at),
        }))
        .expect("message")
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|line| match line {
                Line::Row(Row::Server(m)) => m.text.clone(),
                Line::Row(Row::Pending { text, .. }) => text.clone(),
                Line::Row(Row::Note(n)) => n.text.clone(),
                Line::ScheduledHeading => "--".to_string(),
            })
            .collect()
    }

    #[test]
    fn waiting_messages_come_last_under_a_heading_soonest_first() {
        let now = "2026-11-25T10:30:00Z".parse().expect("now");
        let rows = vec![
            Row::Server(message(1, "delivered", 1, None)),
            Row::Server(message(2, "scheduled", 2, Some(50))),
            Row::Server(message(3, "held_quiet_hours", 3, Some(40))),
            Row::Server(message(4, "cancelled", 4, Some(45))),
            Row::Server(message(5, "sent", 5, None)),
            Row::Pending {
                local: 1,
                text: "later".into(),
                media: Vec::new(),
                send_at: Some("2026-11-25T11:30:00Z".parse().expect("time")),
                error: None,
            },
        ];
        assert_eq!(
            texts(&arrange(&rows, false, now)),
            ["m1", "m4", "m5", "--", "m3", "m2", "later"]
        );
        // Nothing waits: no heading.
        assert_eq!(texts(&arrange(&rows[..1], false, now)), ["m1"]);
    }

    #[test]
    fn a_message_sent_later_shows_where_it_left() {
        let now = "2026-11-25T10:30:00Z".parse().expect("now");
        // Written at :02 for :20, it left at :20: after the message of :10.
        let rows = vec![
            Row::Server(message(2, "queued", 2, Some(20))),
            Row::Server(message(3, "delivered", 10, None)),
        ];
        assert_eq!(texts(&arrange(&rows, false, now)), ["m3", "m2"]);
        // Sent now, before its time: where it is now.
        let rows = vec![
            Row::Server(message(2, "queued", 2, Some(59))),
            Row::Server(message(3, "delivered", 10, None)),
        ];
        assert_eq!(texts(&arrange(&rows, false, now)), ["m3", "m2"]);
    }
}
