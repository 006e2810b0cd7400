//! The message composer: Enter sends, Shift+Enter adds a line, and a live SMS segment and
//! encoding counter from `parley::sms::analyze` (the server's own code).

use leptos::prelude::*;
use parley::sms::{analyze, Encoding};

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
                format!(
                    "{} characters · {} · {} segment{plural} ({} per segment)",
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
                        " Emoji or characters outside GSM-7 limit each segment to 67 characters."
                    } else {
                        ""
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

#[component]
pub fn Composer(
    /// Why sending is impossible right now (opted out…), if it is.
    #[prop(into)]
    blocked: Signal<Option<String>>,
    /// Called with the text to send; the composer clears itself.
    on_send: Callback<String>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let area = NodeRef::<leptos::html::Textarea>::new();
    let send = move || {
        if blocked.with_untracked(Option::is_some) {
            return;
        }
        let value = text.get_untracked();
        if value.trim().is_empty() {
            return;
        }
        text.set(String::new());
        on_send.run(value);
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
            aria-label="Reply"
            on:submit=move |event| {
                event.prevent_default();
                send();
            }
        >
            {move || {
                blocked
                    .get()
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
                    placeholder="Write a message (Enter sends, Shift+Enter: new line)"
                    aria-describedby="segment-counter"
                    prop:value=move || text.get()
                    on:input=move |event| text.set(event_target_value(&event))
                    on:keydown=on_keydown
                    disabled=move || blocked.with(Option::is_some)
                ></textarea>
                <button
                    id="send"
                    type="submit"
                    class="primary send"
                    disabled=move || {
                        blocked.with(Option::is_some) || text.with(|t| t.trim().is_empty())
                    }
                >
                    "Send"
                </button>
            </div>
            <SegmentCounter text=text id="segment-counter" />
        </form>
    }
}
