//! The message composer: Enter sends, Shift+Enter adds a line, a live SMS segment and
//! encoding counter from `parley::sms::analyze` (the server's own code), a draft per
//! conversation that survives switching conversations and reloading the page, `/` to
//! insert a canned reply filled in for the conversation, pictures and files (an MMS: by the
//! Attach button, pasting or dropping them; checked by `parley::mms` before they are uploaded,
//! uploaded when sent), Send later (a time in the tenant's zone: the message is scheduled),
//! and a second mode that writes an internal note instead (never sent;
//! possible after an opt-out too; no attachments).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::mms::{
    check_attachment, is_picture, size_in_words, ALLOWED_TYPES, DEFAULT_MAX_UPLOAD_BYTES,
};
use parley::sms::{analyze, first_non_gsm7, Encoding};
use parley::wire::{CannedReply, Conversation, ConversationId, Media};
use wasm_bindgen::JsCast;

use crate::api::{local_storage, Api};
use crate::components::canned::{conversation_context, fill, matching, slash_query, CannedReplies};
use crate::components::send_later::SendLater;
use crate::components::shell::Account;

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

/// A picture or file attached to the message being written.
#[derive(Clone)]
struct Attachment {
    key: u64,
    file: web_sys::File,
    name: String,
    size: u64,
    /// An object URL of a picture, for its thumbnail.
    preview: Option<String>,
    /// The item once uploaded (an upload that failed further on is not done twice).
    uploaded: Option<Media>,
}

/// The files of a paste or a drop, if it carries any.
fn files_of(transfer: Option<web_sys::DataTransfer>) -> Option<web_sys::FileList> {
    transfer
        .and_then(|transfer| transfer.files())
        .filter(|files| files.length() > 0)
}

/// The longest note the API takes (`CreateNote`).
const MAX_NOTE_CHARS: usize = 5000;

/// What Enter does with the text: send it to the customer, or keep it as a note for the team.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Reply,
    Note,
}

/// The `/query` being typed while the canned-reply picker is open.
#[derive(Clone, Debug, PartialEq)]
struct Slash {
    /// Byte offset of the `/` in the text.
    start: usize,
    query: String,
}

/// The byte offset of a caret given in UTF-16 code units (as the DOM counts).
fn byte_offset(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (index, character) in text.char_indices() {
        if units >= utf16 {
            return index;
        }
        units += character.len_utf16();
    }
    text.len()
}

/// `text` with the `/query` at `slash` replaced by `filled`, and the caret after it (in
/// UTF-16 units). When the text changed meanwhile (a reply filled in by the server arrives
/// late) and the `/query` is gone, `filled` goes at the end.
fn replace_slash(text: &str, slash: &Slash, filled: &str) -> (String, usize) {
    let typed = format!("/{}", slash.query);
    let end = slash.start + typed.len();
    let (before, after) = if text.get(slash.start..end) == Some(typed.as_str()) {
        (&text[..slash.start], &text[end..])
    } else {
        (text, "")
    };
    let before = if before.is_empty() || before.ends_with(char::is_whitespace) {
        before.to_string()
    } else {
        format!("{before} ")
    };
    let caret = before.encode_utf16().count() + filled.encode_utf16().count();
    (format!("{before}{filled}{after}"), caret)
}

#[component]
pub fn Composer(
    /// The conversation written in: its draft is kept under its id.
    conversation: ConversationId,
    /// The conversation as loaded: its contact fills canned replies in.
    #[prop(into)]
    details: Signal<Option<Conversation>>,
    /// Why sending is impossible right now (opted out…), if it is. Notes stay possible.
    #[prop(into)]
    blocked: Signal<Option<String>>,
    /// Called with the text to send, the pictures and files uploaded for it and, for a
    /// message sent later, its time; the composer clears itself.
    on_send: Callback<(String, Vec<Media>, Option<DateTime<Utc>>)>,
    /// Called with the text of an internal note; the composer clears itself.
    on_note: Callback<String>,
    /// Why pictures or files could not be attached, uploaded or sent: shown beside the
    /// composer (the conversation's store sets it when the server refuses them).
    #[prop(optional)]
    media_error: Option<RwSignal<Option<String>>>,
) -> impl IntoView {
    let media_error = media_error.unwrap_or_else(|| RwSignal::new(None));
    let attachments = RwSignal::new_local(Vec::<Attachment>::new());
    let next_attachment = StoredValue::new(0u64);
    let uploading = RwSignal::new(false);
    let dragging = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let cache = crate::media::MediaCache::get();
    on_cleanup(move || {
        attachments.try_with_untracked(|list| {
            for attachment in list {
                if let Some(url) = &attachment.preview {
                    let _ = web_sys::Url::revoke_object_url(url);
                }
            }
        });
    });
    let api = Api::new();
    let account = expect_context::<Account>();
    let canned = CannedReplies::get();
    let text = RwSignal::new(load_draft(conversation));
    let mode = RwSignal::new(Mode::Reply);
    let area = NodeRef::<leptos::html::Textarea>::new();
    let note_too_long =
        move || mode.get() == Mode::Note && text.with(|t| t.chars().count() > MAX_NOTE_CHARS);
    let can_write = move || mode.get() == Mode::Note || blocked.with(Option::is_none);
    // The canned-reply picker: open while a `/query` is typed, with the highlighted option.
    let slash = RwSignal::new(None::<Slash>);
    let selected = RwSignal::new(0usize);
    // Where the `/` was when Escape closed the picker: it stays closed for that word.
    let dismissed = StoredValue::new(None::<usize>);
    let canned_error = RwSignal::new(None::<String>);
    let filling = RwSignal::new(false);
    let options = Memo::new(move |_| -> Vec<CannedReply> {
        let Some(query) = slash.with(|slash| slash.as_ref().map(|s| s.query.clone())) else {
            return Vec::new();
        };
        canned.list.with(|list| {
            list.as_deref()
                .map(|list| matching(list, &query).into_iter().cloned().collect())
                .unwrap_or_default()
        })
    });

    let has_attachments =
        move || mode.get() == Mode::Reply && attachments.with(|list| !list.is_empty());
    // Checks files before anything is uploaded, and keeps those that may go.
    let add_files = move |files: web_sys::FileList| {
        if mode.get_untracked() == Mode::Note {
            media_error.set(Some(
                "Internal notes cannot carry pictures or files.".to_string(),
            ));
            return;
        }
        if !can_write() || uploading.get_untracked() {
            return;
        }
        let mut problems = Vec::new();
        attachments.update(|list| {
            for index in 0..files.length() {
                let Some(file) = files.item(index) else {
                    continue;
                };
                let size = file.size().max(0.0) as u64;
                let total: u64 = list.iter().map(|a| a.size).sum();
                let limit = DEFAULT_MAX_UPLOAD_BYTES as u64;
                match check_attachment(&file.type_(), size, limit, list.len(), total) {
                    Ok(kind) => {
                        let preview = if is_picture(kind) {
                            web_sys::Url::create_object_url_with_blob(&file).ok()
                        } else {
                            None
                        };
                        let key = next_attachment.get_value() + 1;
                        next_attachment.set_value(key);
                        list.push(Attachment {
                            key,
                            name: file.name(),
                            file,
                            size,
                            preview,
                            uploaded: None,
                        });
                    }
                    Err(problem) => {
                        problems.push(format!("“{}” was not attached: {problem}.", file.name()))
                    }
                }
            }
        });
        media_error.set((!problems.is_empty()).then(|| problems.join(" ")));
    };
    let remove_attachment = move |key: u64| {
        attachments.update(|list| {
            if let Some(index) = list.iter().position(|a| a.key == key) {
                let removed = list.remove(index);
                if let Some(url) = removed.preview {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
            }
        });
        media_error.set(None);
    };
    let cleared = move || {
        slash.set(None);
        text.set(String::new());
        save_draft(conversation, "");
        if let Some(area) = area.get_untracked() {
            let _ = area.focus();
        }
    };
    // Uploads the attachments not uploaded yet, then hands the message over; a refusal
    // (413, 415…) keeps everything and shows beside the composer.
    let upload_and_send = move |value: String, send_at: Option<DateTime<Utc>>| {
        uploading.set(true);
        media_error.set(None);
        spawn_local(async move {
            let pending: Vec<(u64, web_sys::File, String)> = attachments.with_untracked(|list| {
                list.iter()
                    .filter(|a| a.uploaded.is_none())
                    .map(|a| (a.key, a.file.clone(), a.name.clone()))
                    .collect()
            });
            for (key, file, name) in pending {
                match api.upload_media(&file).await {
                    Ok(item) => {
                        attachments.try_update(|list| {
                            if let Some(a) = list.iter_mut().find(|a| a.key == key) {
                                a.uploaded = Some(item);
                            }
                        });
                    }
                    Err(failure) => {
                        media_error.try_set(Some(format!(
                            "“{name}” was not sent: {}",
                            failure.message()
                        )));
                        uploading.try_set(false);
                        return;
                    }
                }
            }
            let Some(done) = attachments.try_update(std::mem::take) else {
                return;
            };
            let media: Vec<Media> = done
                .into_iter()
                .filter_map(|a| {
                    let item = a.uploaded?;
                    // The thread shows the picture from the page's own copy.
                    if let Some(url) = a.preview {
                        match cache {
                            Some(cache) => cache.put(item.id, url),
                            None => {
                                let _ = web_sys::Url::revoke_object_url(&url);
                            }
                        }
                    }
                    Some(item)
                })
                .collect();
            uploading.set(false);
            cleared();
            on_send.run((value, media, send_at));
        });
    };
    let send = move |send_at: Option<DateTime<Utc>>| {
        let value = text.get_untracked();
        let with_files = mode.get_untracked() == Mode::Reply
            && attachments.with_untracked(|list| !list.is_empty());
        if (value.trim().is_empty() && !with_files)
            || !can_write()
            || note_too_long()
            || uploading.get_untracked()
        {
            return;
        }
        if with_files {
            upload_and_send(value, send_at);
            return;
        }
        cleared();
        match mode.get_untracked() {
            Mode::Reply => on_send.run((value, Vec::new(), send_at)),
            Mode::Note => on_note.run(value),
        }
    };
    let choose = move |chosen: Mode| {
        mode.set(chosen);
        if let Some(area) = area.get_untracked() {
            let _ = area.focus();
        }
    };
    // Opens, follows or closes the picker after the text or the caret moved.
    let follow_caret = move || {
        let Some(element) = area.get_untracked() else {
            return;
        };
        let value = element.value();
        let start = element.selection_start().ok().flatten();
        let end = element.selection_end().ok().flatten();
        let found = match (start, end) {
            (Some(start), Some(end)) if start == end => {
                slash_query(&value, byte_offset(&value, end as usize))
            }
            _ => None,
        };
        match found {
            Some((start, _)) if dismissed.get_value() == Some(start) => slash.set(None),
            Some((start, query)) => {
                dismissed.set_value(None);
                canned.ensure_loaded();
                if slash.with_untracked(|s| s.as_ref().map(|s| &s.query) != Some(&query)) {
                    selected.set(0);
                }
                slash.set(Some(Slash { start, query }));
            }
            None => {
                dismissed.set_value(None);
                if slash.with_untracked(Option::is_some) {
                    slash.set(None);
                }
            }
        }
    };
    let put_in = move |slash_at: Slash, filled: String| {
        let (value, caret) = replace_slash(&text.get_untracked(), &slash_at, &filled);
        save_draft(conversation, &value);
        text.set(value.clone());
        if let Some(element) = area.get_untracked() {
            // At once, so that the caret can go after the reply.
            element.set_value(&value);
            let _ = element.focus();
            let _ = element.set_selection_range(caret as u32, caret as u32);
        }
    };
    let insert = move |reply: CannedReply| {
        let Some(slash_at) = slash.get_untracked() else {
            return;
        };
        slash.set(None);
        canned_error.set(None);
        let context = account.me.with_untracked(|me| {
            let me = me.as_ref()?;
            details.with_untracked(|details| conversation_context(me, details.as_ref()?))
        });
        if let Some(filled) = context.and_then(|context| fill(&reply, &context)) {
            put_in(slash_at, filled);
            return;
        }
        // The SPA lacks a value (the linked client's name, or who is signed in): the server
        // fills the reply in with the same code.
        filling.set(true);
        spawn_local(async move {
            match api.render_canned_reply(conversation, reply.id).await {
                Ok(rendered) => put_in(slash_at, rendered.text),
                Err(failure) => {
                    canned_error.try_set(Some(failure.message()));
                }
            }
            filling.try_set(false);
        });
    };
    let close_picker = move || {
        dismissed.set_value(slash.with_untracked(|s| s.as_ref().map(|s| s.start)));
        slash.set(None);
    };
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.is_composing() {
            return;
        }
        let key = event.key();
        let plain_enter = key == "Enter" && !event.shift_key() && !event.alt_key();
        if slash.with_untracked(Option::is_some) {
            let count = options.with_untracked(Vec::len);
            match key.as_str() {
                "ArrowDown" | "ArrowUp" if count > 0 => {
                    event.prevent_default();
                    let step = if key == "ArrowDown" { 1 } else { count - 1 };
                    selected.update(|index| *index = (*index + step) % count);
                    scroll_to_option(selected.get_untracked());
                    return;
                }
                "Escape" => {
                    event.prevent_default();
                    event.stop_propagation();
                    close_picker();
                    return;
                }
                _ if plain_enter => {
                    // Enter belongs to the picker while it is open: it never sends.
                    event.prevent_default();
                    let choice = options
                        .with_untracked(|options| options.get(selected.get_untracked()).cloned());
                    match choice {
                        Some(reply) => insert(reply),
                        None if canned.list.with_untracked(Option::is_some) => close_picker(),
                        None => {}
                    }
                    return;
                }
                _ => {}
            }
        }
        if plain_enter {
            event.prevent_default();
            send(None);
        }
    };
    let picker = move || {
        slash.get().map(|slash_at| {
            let body = move || {
                if let Some(list) = canned.list.get() {
                    if list.is_empty() {
                        return view! {
                            <p id="canned-picker-empty" class="picker-note">
                                "No canned replies yet — create them on the "
                                <a href="/canned-replies">"Canned replies page"</a>
                            </p>
                        }
                        .into_any();
                    }
                    let shown = options.get();
                    if shown.is_empty() {
                        return view! {
                            <p id="canned-picker-none" class="picker-note">
                                {format!("No canned reply matches “/{}”.", slash_at.query)}
                            </p>
                        }
                        .into_any();
                    }
                    let context = account.me.with(|me| {
                        let me = me.as_ref()?;
                        details.with(|details| conversation_context(me, details.as_ref()?))
                    });
                    return view! {
                        <ul id="canned-options" role="listbox" aria-label="Canned replies">
                            {shown
                                .into_iter()
                                .enumerate()
                                .map(|(index, reply)| {
                                    let preview = context
                                        .as_ref()
                                        .and_then(|context| fill(&reply, context))
                                        .unwrap_or_else(|| reply.text.clone());
                                    let shortcut = reply.shortcut.clone();
                                    let title = reply.title.clone();
                                    view! {
                                        <li
                                            id=format!("canned-option-{index}")
                                            role="option"
                                            class="canned-option"
                                            data-testid="canned-option"
                                            data-shortcut=shortcut.clone()
                                            aria-selected=move || (selected.get() == index).to_string()
                                            on:click=move |_| insert(reply.clone())
                                        >
                                            <span class="option-head">
                                                <code>{format!("/{shortcut}")}</code>
                                                <span class="option-title">{title}</span>
                                            </span>
                                            <span class="option-preview">{preview}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any();
                }
                match canned.error.get() {
                    Some(message) => view! {
                        <div id="canned-picker-error" class="picker-note error-text" role="alert">
                            {message}
                            " "
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| canned.reload()
                            >
                                "Try again"
                            </button>
                        </div>
                    }
                    .into_any(),
                    None => view! { <p class="picker-note">"Loading canned replies…"</p> }.into_any(),
                }
            };
            view! {
                // Clicks inside keep the focus (and the caret) in the text box.
                <div
                    id="canned-picker"
                    class="canned-picker"
                    data-testid="canned-picker"
                    on:mousedown=|event: leptos::ev::MouseEvent| event.prevent_default()
                >
                    {body}
                </div>
            }
        })
    };
    view! {
        <form
            class="composer"
            class:note-mode=move || mode.get() == Mode::Note
            class:dragging=move || dragging.get()
            aria-label="Reply"
            on:submit=move |event| {
                event.prevent_default();
                send(None);
            }
            on:dragover=move |event: leptos::ev::DragEvent| {
                let files = event
                    .data_transfer()
                    .is_some_and(|t| t.types().includes(&"Files".into(), 0));
                if files && mode.get_untracked() == Mode::Reply {
                    event.prevent_default();
                    dragging.set(true);
                }
            }
            on:dragleave=move |event: leptos::ev::DragEvent| {
                let inside = event
                    .related_target()
                    .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                    .zip(event.current_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()))
                    .is_some_and(|(to, form)| form.contains(Some(&to)));
                if !inside {
                    dragging.set(false);
                }
            }
            on:drop=move |event: leptos::ev::DragEvent| {
                dragging.set(false);
                if let Some(files) = files_of(event.data_transfer()) {
                    event.prevent_default();
                    add_files(files);
                }
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
            {move || {
                has_attachments()
                    .then(|| {
                        view! {
                            <ul id="attachments" class="attachments" aria-label="Attachments">
                                {attachments
                                    .get()
                                    .into_iter()
                                    .map(|a| {
                                        let key = a.key;
                                        let label = format!("{} · {}", a.name, size_in_words(a.size));
                                        view! {
                                            <li class="attachment" data-testid="attachment">
                                                {a.preview.map(|url| view! { <img src=url alt="" /> })}
                                                <span class="attachment-label" title=label.clone()>
                                                    {label.clone()}
                                                </span>
                                                <button
                                                    type="button"
                                                    class="icon-button"
                                                    data-testid="attachment-remove"
                                                    aria-label=format!("Remove {label}")
                                                    disabled=move || uploading.get()
                                                    on:click=move |_| remove_attachment(key)
                                                >
                                                    "×"
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
            <div class="composer-row">
                {picker}
                <input
                    id="composer-file"
                    type="file"
                    multiple
                    hidden
                    accept=ALLOWED_TYPES.join(",")
                    node_ref=file_input
                    on:change=move |_| {
                        if let Some(input) = file_input.get_untracked() {
                            if let Some(files) = input.files() {
                                add_files(files);
                            }
                            input.set_value("");
                        }
                    }
                />
                <Show when=move || mode.get() == Mode::Reply>
                    <button
                        id="attach"
                        type="button"
                        class="secondary attach"
                        title="Attach pictures or files (or paste or drop them here)"
                        disabled=move || !can_write() || uploading.get()
                        on:click=move |_| {
                            if let Some(input) = file_input.get_untracked() {
                                input.click();
                            }
                        }
                    >
                        "Attach"
                    </button>
                </Show>
                <textarea
                    id="composer"
                    node_ref=area
                    rows="2"
                    placeholder=move || match mode.get() {
                        Mode::Reply => "Write a message, or / for a canned reply",
                        Mode::Note => "Write a note for your team (the customer never sees it)",
                    }
                    aria-describedby="composer-hint segment-counter"
                    aria-autocomplete="list"
                    aria-controls=move || slash.with(Option::is_some).then_some("canned-picker")
                    aria-activedescendant=move || {
                        (slash.with(Option::is_some) && !options.with(Vec::is_empty))
                            .then(|| format!("canned-option-{}", selected.get()))
                    }
                    prop:value=move || text.get()
                    on:input=move |event| {
                        let value = event_target_value(&event);
                        save_draft(conversation, &value);
                        text.set(value);
                        follow_caret();
                    }
                    on:keydown=on_keydown
                    on:keyup=move |event: leptos::ev::KeyboardEvent| {
                        if matches!(event.key().as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End") {
                            follow_caret();
                        }
                    }
                    on:click=move |_| follow_caret()
                    on:blur=move |_| slash.set(None)
                    on:paste=move |event: leptos::ev::ClipboardEvent| {
                        if let Some(files) = files_of(event.clipboard_data()) {
                            event.prevent_default();
                            add_files(files);
                        }
                    }
                    disabled=move || !can_write()
                    readonly=move || uploading.get()
                ></textarea>
                <button
                    id="send"
                    type="submit"
                    class="primary send"
                    disabled=move || {
                        !can_write() || note_too_long() || uploading.get()
                            || (text.with(|t| t.trim().is_empty()) && !has_attachments())
                    }
                >
                    {move || match mode.get() {
                        Mode::Reply => "Send",
                        Mode::Note => "Add note",
                    }}
                </button>
                <Show when=move || mode.get() == Mode::Reply>
                    <SendLater
                        disabled=Signal::derive(move || {
                            !can_write() || uploading.get()
                                || (text.with(|t| t.trim().is_empty()) && !has_attachments())
                        })
                        on_pick=Callback::new(move |at| send(Some(at)))
                    />
                </Show>
            </div>
            {move || {
                filling
                    .get()
                    .then(|| {
                        view! {
                            <p id="composer-canned-filling" class="composer-hint" role="status">
                                "Filling in the canned reply…"
                            </p>
                        }
                    })
            }}
            {move || {
                uploading
                    .get()
                    .then(|| {
                        view! {
                            <p id="composer-uploading" class="composer-hint" role="status">
                                "Uploading…"
                            </p>
                        }
                    })
            }}
            {move || {
                media_error
                    .get()
                    .map(|message| {
                        view! {
                            <p id="composer-media-error" class="field-error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
            {move || {
                canned_error
                    .get()
                    .map(|message| {
                        view! {
                            <p id="composer-canned-error" class="field-error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
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
                        Mode::Reply => "Enter sends · Shift+Enter adds a line · / inserts a canned reply · paste or drop pictures to attach them",
                        Mode::Note => "Enter adds the note · Shift+Enter adds a line",
                    }}
                </p>
            </div>
        </form>
    }
}

/// Keeps the highlighted option visible inside the picker's scrolling list.
fn scroll_to_option(index: usize) {
    let document = leptos::prelude::document();
    let (Some(list), Some(option)) = (
        document.get_element_by_id("canned-picker"),
        document
            .get_element_by_id(&format!("canned-option-{index}"))
            .and_then(|option| option.dyn_into::<web_sys::HtmlElement>().ok()),
    ) else {
        return;
    };
    let top = option.offset_top();
    let bottom = top + option.offset_height();
    if top < list.scroll_top() {
        list.set_scroll_top(top);
    } else if bottom > list.scroll_top() + list.client_height() {
        list.set_scroll_top(bottom - list.client_height());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_count_utf16_units() {
        assert_eq!(byte_offset("abc", 2), 2);
        assert_eq!(byte_offset("é/x", 2), 3);
        assert_eq!(byte_offset("😀/x", 2), 4);
        assert_eq!(byte_offset("ab", 9), 2);
    }

    #[test]
    fn the_reply_replaces_the_slash_word() {
        let slash = Slash {
            start: 3,
            query: "gre".into(),
        };
        assert_eq!(
            replace_slash("Hi /gre", &slash, "Hello Sarah!"),
            ("Hi Hello Sarah!".to_string(), 15)
        );
        assert_eq!(
            replace_slash("Hi /gre and more", &slash, "X"),
            ("Hi X and more".to_string(), 4)
        );
        // Typed over meanwhile: the reply goes at the end.
        assert_eq!(
            replace_slash("Hi there", &slash, "X"),
            ("Hi there X".to_string(), 10)
        );
        let first = Slash {
            start: 0,
            query: String::new(),
        };
        assert_eq!(replace_slash("/", &first, "😀"), ("😀".to_string(), 2));
    }
}
