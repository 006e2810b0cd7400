//! The message composer: Enter sends, Shift+Enter adds a line, a live SMS segment and
//! encoding counter from `parley::sms::analyze` (the server's own code), a draft per
//! conversation that survives switching conversations and reloading the page, and a second
//! mode that writes an internal note instead (never sent; possible after an opt-out too).

use leptos::prelude::*;
use parley::sms::{analyze, first_non_gsm7, Encoding};
use parley::wire::ConversationId;

use crate::api::local_storage;

fn draft_key(conversation: ConversationId) -> String {
    format!("parley.draft.{conversation}")
}

/// The unsent text of a conversation (empty when none).
fn load_draft(conversation: ConversationId) -> String {
    local_storage()
        .and_then(|storage| storage.get_item(&draft_key(conversation)).ok().flatten())
        .unwrap_or_default()
}

/// Keeps the unsent text; an empty one is forgotten. Storage may be unavailable (private
/// mode): the draft then lasts as long as the page.
fn save_draft(conversation: ConversationId, text: &str) {
    if let Some(storage) = local_storage() {
        let key = draft_key(conversation);
        let _ = if text.trim().is_empty() {
            storage.remove_item(&key)
        } else {
            storage.set_item(&key, text)
        };
    }
}

/// How to name a character for a person: itself in quotes, and its code point when it is
/// invisible or easily mistaken (a curly quote looks like a straight one).
fn describe(character: char) -> String {
    format!("“{character}” (U+{:04X})", character as u32)
}

/// "42 characters · GSM-7 · 1 segment", and a warning past one segment.
#[component]
pub fn SegmentCounter(
    #[prop(into)] text: Signal<String>,
    /// Element id of the counter; the warning gets `{id}-warning`.
    id: &'static str,
) -> impl IntoView {
    let info = Memo::new(move |_| text.with(|t| analyze(t)));
    let warning_id = format!("{id}-warning");
    view! {
        <p
            id=id
            class="segment-counter"
            aria-live="polite"
            data-segments=move || info.get().segments.to_string()
            data-encoding=move || info.get().encoding.as_str()
        >
            {move || {
                let info = info.get();
                let plural = if info.segments == 1 { "" } else { "s" };
                let because = match info.encoding {
                    Encoding::Ucs2 => text
                        .with(|t| first_non_gsm7(t))
                        .map(|c| format!(" because of {}", describe(c)))
                        .unwrap_or_default(),
                    Encoding::Gsm7 => String::new(),
                };
                format!(
                    "{} characters · {}{because} · {} segment{plural} ({} per segment)",
                    info.characters,
                    info.encoding.as_str(),
                    info.segments,
                    info.units_per_segment,
                )
            }}
        </p>
        {move || {
            let info = info.get();
            info.is_multipart()
                .then(|| {
                    let why = if info.encoding == Encoding::Ucs2 {
                        match text.with(|t| first_non_gsm7(t)) {
                            Some(culprit) => format!(
                                " {} is not in GSM-7, so each segment holds 67 characters.",
                                describe(culprit)
                            ),
                            None => String::new(),
                        }
                    } else {
                        String::new()
                    };
                    view! {
                        <p id=warning_id.clone() class="segment-warning" role="status">
                            {format!(
                                "Longer than one SMS: sent as {} segments, each billed as a message.{why}",
                                info.segments,
                            )}
                        </p>
                    }
                })
        }}
    }
}

/// The longest note the API takes (`CreateNote`).
const MAX_NOTE_CHARS: usize = 5000;

/// What Enter does with the text: send it to the customer, or keep it as a note for the team.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Reply,
    Note,
}

#[component]
pub fn Composer(
    /// The conversation written in: its draft is kept under its id.
    conversation: ConversationId,
    /// Why sending is impossible right now (opted out…), if it is. Notes stay possible.
    #[prop(into)]
    blocked: Signal<Option<String>>,
    /// Called with the text to send; the composer clears itself.
    on_send: Callback<String>,
    /// Called with the text of an internal note; the composer clears itself.
    on_note: Callback<String>,
) -> impl IntoView {
    let text = RwSignal::new(load_draft(conversation));
    let mode = RwSignal::new(Mode::Reply);
    let area = NodeRef::<leptos::html::Textarea>::new();
    let note_too_long =
        move || mode.get() == Mode::Note && text.with(|t| t.chars().count() > MAX_NOTE_CHARS);
    let can_write = move || mode.get() == Mode::Note || blocked.with(Option::is_none);
    let send = move || {
        let value = text.get_untracked();
        if value.trim().is_empty() || !can_write() || note_too_long() {
            return;
        }
        text.set(String::new());
        save_draft(conversation, "");
        match mode.get_untracked() {
            Mode::Reply => on_send.run(value),
            Mode::Note => on_note.run(value),
        }
        if let Some(area) = area.get_untracked() {
            let _ = area.focus();
        }
    };
    let choose = move |chosen: Mode| {
        mode.set(chosen);
        if let Some(area) = area.get_untracked() {
            let _ = area.focus();
        }
    };
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Enter" && !event.shift_key() && !event.alt_key() && !event.is_composing()
        {
            event.prevent_default();
            send();
        }
    };
    view! {
        <form
            class="composer"
            class:note-mode=move || mode.get() == Mode::Note
            aria-label="Reply"
            on:submit=move |event| {
                event.prevent_default();
                send();
            }
        >
            <div class="composer-modes" role="group" aria-label="Write">
                <button
                    id="mode-reply"
                    type="button"
                    class="mode"
                    aria-pressed=move || (mode.get() == Mode::Reply).to_string()
                    on:click=move |_| choose(Mode::Reply)
                >
                    "Reply"
                </button>
                <button
                    id="mode-note"
                    type="button"
                    class="mode"
                    aria-pressed=move || (mode.get() == Mode::Note).to_string()
                    on:click=move |_| choose(Mode::Note)
                >
                    "Internal note"
                </button>
            </div>
            {move || {
                (mode.get() == Mode::Reply)
                    .then(|| blocked.get())
                    .flatten()
                    .map(|reason| {
                        view! {
                            <p id="composer-blocked" class="notice warning" role="status">
                                {reason}
                            </p>
                        }
                    })
            }}
            <label for="composer" class="visually-hidden">
                "Message"
            </label>
            <div class="composer-row">
                <textarea
                    id="composer"
                    node_ref=area
                    rows="2"
                    placeholder=move || match mode.get() {
                        Mode::Reply => "Write a message",
                        Mode::Note => "Write a note for your team (the customer never sees it)",
                    }
                    aria-describedby="composer-hint segment-counter"
                    prop:value=move || text.get()
                    on:input=move |event| {
                        let value = event_target_value(&event);
                        save_draft(conversation, &value);
                        text.set(value);
                    }
                    on:keydown=on_keydown
                    disabled=move || !can_write()
                ></textarea>
                <button
                    id="send"
                    type="submit"
                    class="primary send"
                    disabled=move || {
                        !can_write() || note_too_long() || text.with(|t| t.trim().is_empty())
                    }
                >
                    {move || match mode.get() {
                        Mode::Reply => "Send",
                        Mode::Note => "Add note",
                    }}
                </button>
            </div>
            <div class="composer-foot">
                {move || match mode.get() {
                    Mode::Reply => view! { <SegmentCounter text=text id="segment-counter" /> }.into_any(),
                    Mode::Note => {
                        view! {
                            <p id="segment-counter" class="segment-counter" aria-live="polite">
                                {move || {
                                    let count = text.with(|t| t.chars().count());
                                    if count > MAX_NOTE_CHARS {
                                        format!("{count} of {MAX_NOTE_CHARS} characters: too long for a note")
                                    } else {
                                        "Internal: only your team sees notes".to_string()
                                    }
                                }}
                            </p>
                        }
                            .into_any()
                    }
                }}
                <p id="composer-hint" class="composer-hint">
                    {move || match mode.get() {
                        Mode::Reply => "Enter sends · Shift+Enter adds a line",
                        Mode::Note => "Enter adds the note · Shift+Enter adds a line",
                    }}
                </p>
            </div>
        </form>
    }
}
