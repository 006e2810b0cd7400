//! The history: older pages on demand, each message with its author, time and delivery
//! state, its pictures and files, and the messages being sent with a way to retry them.

use leptos::prelude::*;
use parley::wire::{AiProvider, Direction, Media, MessageStatus};

use super::store::{ConversationStore, Row};
use crate::components::status::{author_label, error_words, MessageStatusBadge};
use crate::media::{MediaItems, MediaViewer};
use crate::util::{list_time, local_time};

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
            <For each=move || visible_rows(store) key=Row::key let:row>
                <MessageRow row=row store=store on_open=on_open />
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

/// The timeline's rows, less the notes older than the oldest message loaded while older
/// messages remain to load (they show in place once those do).
fn visible_rows(store: ConversationStore) -> Vec<Row> {
    let partial = store.older_cursor.with(Option::is_some);
    store.rows.with(|rows| {
        let first = rows.iter().find_map(|row| match row {
            Row::Server(message) => Some(message.created_at),
            _ => None,
        });
        rows.iter()
            .filter(|row| match (row, first) {
                (Row::Note(note), Some(first)) => !partial || note.created_at >= first,
                _ => true,
            })
            .cloned()
            .collect()
    })
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
            let class = format!("message {direction} author-{}", message.author.as_str());
            let time = message.created_at;
            let failure = error_words(&message);
            let segments = message.segments;
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
                        <time datetime=time.to_rfc3339() title=local_time(time)>
                            {list_time(time)}
                        </time>
                        {(message.direction == Direction::Outbound || message.status != MessageStatus::Received)
                            .then(|| view! { " · " <MessageStatusBadge status=message.status /> })}
                        {(segments > 1).then(|| format!(" · {segments} segments"))}
                    </p>
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
            error,
        } => {
            let failed = error.is_some();
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
                            {if failed { "Not sent" } else { "Sending…" }}
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
                                            store.retry(local, retry_text.clone(), retry_media.clone())
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
