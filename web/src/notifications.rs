//! Alerts for what needs a person while they look elsewhere: a short sound and a desktop
//! notification (the browser's Notification API) when a customer writes in a conversation that
//! is mine or nobody's, and when the AI hands a conversation to a person. Both are off until
//! the person turns them on (per browser, in local storage); the browser's permission for
//! desktop notifications is asked on that click, as browsers require.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::{Conversation, ConversationId, Direction, FeedPayload, Message, UserId};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::api::{local_storage, Api};
use crate::components::shell::Account;
use crate::feed::{self, FeedMessage};

const SOUND_KEY: &str = "parley.notify.sound";
const DESKTOP_KEY: &str = "parley.notify.desktop";

fn stored_choice(key: &str) -> bool {
    local_storage()
        .and_then(|storage| storage.get_item(key).ok().flatten())
        .is_some_and(|value| value == "on")
}

fn store_choice(key: &str, on: bool) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, if on { "on" } else { "off" });
    }
}

/// What the browser allows for desktop notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    Granted,
    Denied,
    /// Not asked yet (or the choice was dismissed).
    Undecided,
    /// No Notification API (an old browser, or an insecure origin).
    Unsupported,
}

fn permission() -> Permission {
    let supported = web_sys::window()
        .and_then(|window| js_sys::Reflect::has(&window, &"Notification".into()).ok())
        .unwrap_or(false);
    if !supported {
        return Permission::Unsupported;
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => Permission::Granted,
        web_sys::NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Undecided,
    }
}

/// The person's choices, shared through context by the signed-in shell.
#[derive(Clone, Copy)]
pub struct Alerts {
    pub sound: RwSignal<bool>,
    pub desktop: RwSignal<bool>,
    pub permission: RwSignal<Permission>,
}

impl Alerts {
    fn restore() -> Self {
        Alerts {
            sound: RwSignal::new(stored_choice(SOUND_KEY)),
            desktop: RwSignal::new(stored_choice(DESKTOP_KEY)),
            permission: RwSignal::new(permission()),
        }
    }

    pub fn set_sound(&self, on: bool) {
        store_choice(SOUND_KEY, on);
        self.sound.set(on);
        if on {
            beep();
        }
    }

    /// Turns desktop notifications on (asking the browser's permission first, on this click)
    /// or off.
    pub fn set_desktop(&self, on: bool) {
        store_choice(DESKTOP_KEY, on);
        self.desktop.set(on);
        if !on || permission() != Permission::Undecided {
            self.permission.set(permission());
            return;
        }
        let alerts = *self;
        spawn_local(async move {
            if let Ok(promise) = web_sys::Notification::request_permission() {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            }
            alerts.permission.try_set(permission());
        });
    }

    fn wanted(&self) -> bool {
        self.sound.get_untracked()
            || (self.desktop.get_untracked() && permission() == Permission::Granted)
    }
}

/// Plays a short two-tone chime with the Web Audio API (no file to fetch).
fn beep() {
    let Ok(context) = web_sys::AudioContext::new() else {
        return;
    };
    let start = context.current_time();
    for (index, frequency) in [880.0_f32, 1320.0].into_iter().enumerate() {
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain())
        else {
            return;
        };
        let at = start + 0.12 * index as f64;
        oscillator.frequency().set_value(frequency);
        gain.gain().set_value(0.08);
        let _ = oscillator.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let _ = oscillator.start_with_when(at);
        let _ = oscillator.stop_with_when(at + 0.1);
    }
}

/// Shows a desktop notification; clicking it brings the tab forward on the conversation.
fn show_desktop(title: &str, body: &str, conversation: ConversationId, open: Callback<String>) {
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    // One notification per conversation: a newer message replaces the older one.
    options.set_tag(&conversation.to_string());
    let Ok(notification) = web_sys::Notification::new_with_options(title, &options) else {
        return;
    };
    let target = notification.clone();
    let on_click = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.focus();
        }
        open.run(format!("/c/{conversation}"));
        target.close();
    });
    notification.set_onclick(Some(on_click.unchecked_ref()));
}

/// Whether the person is looking at this conversation right now.
fn in_view(conversation: ConversationId) -> bool {
    let document = leptos::prelude::document();
    let focused = document.has_focus().unwrap_or(false) && !document.hidden();
    let path = window().location().pathname().unwrap_or_default();
    focused && path == format!("/c/{conversation}")
}

/// Whether a conversation's news is for me: it is mine, or nobody's yet.
fn concerns(conversation: &Conversation, me: Option<UserId>) -> bool {
    match conversation.assignee_id {
        None => true,
        Some(assignee) => Some(assignee) == me,
    }
}

fn name_of(conversation: &Conversation, account: Option<Account>) -> String {
    conversation
        .contact_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| crate::util::phone_for_account(account, &conversation.phone_number))
}

/// Starts the alerts for the signed-in person: provides [`Alerts`] as context and follows
/// the feed. `me` is the signed-in user (API keys get no alerts); `open` navigates.
pub fn start(me: Signal<Option<UserId>>, open: Callback<String>) -> Alerts {
    let alerts = Alerts::restore();
    provide_context(alerts);
    // Alerts are raised from tasks, outside any component: the account is taken now.
    let account = use_context::<Account>();
    // Conversations already known to wait for a person: a handoff alerts once.
    let waiting = StoredValue::new(HashSet::<ConversationId>::new());
    let api = Api::new();
    let alert = move |title: String, body: String, conversation: ConversationId| {
        if alerts.sound.get_untracked() {
            beep();
        }
        if alerts.desktop.get_untracked() && permission() == Permission::Granted {
            show_desktop(&title, &body, conversation, open);
        }
    };
    feed::subscribe(move |message| {
        let FeedMessage::Event(payload) = message else {
            return;
        };
        match payload {
            FeedPayload::MessageCreated(Message {
                direction: Direction::Inbound,
                conversation_id,
                text,
                ..
            }) => {
                let (id, text) = (*conversation_id, text.clone());
                if !alerts.wanted() || in_view(id) {
                    return;
                }
                spawn_local(async move {
                    let Ok(conversation) = api.conversation(id).await else {
                        return;
                    };
                    if concerns(&conversation, me.get_untracked()) {
                        alert(name_of(&conversation, account), text, id);
                    }
                });
            }
            FeedPayload::ConversationUpdated(conversation) => {
                let id = conversation.id;
                if !conversation.needs_human {
                    waiting.update_value(|set| {
                        set.remove(&id);
                    });
                    return;
                }
                let new = waiting
                    .try_update_value(|set| set.insert(id))
                    .unwrap_or(false);
                if new && alerts.wanted() && concerns(conversation, me.get_untracked()) {
                    let reason = conversation
                        .handoff_reason
                        .clone()
                        .unwrap_or_else(|| "The AI handed this conversation to a person.".into());
                    alert(
                        format!("Needs a person: {}", name_of(conversation, account)),
                        reason,
                        id,
                    );
                }
            }
            _ => {}
        }
    });
    alerts
}

/// The top bar's bell: the sound and desktop-notification switches.
#[component]
pub fn AlertsMenu() -> impl IntoView {
    let alerts = expect_context::<Alerts>();
    let open = RwSignal::new(false);
    let blocked_note = move || match (alerts.desktop.get(), alerts.permission.get()) {
        (true, Permission::Denied) => {
            Some("The browser blocks notifications for this site: allow them in its site settings.")
        }
        (true, Permission::Unsupported) => Some("This browser cannot show notifications."),
        (true, Permission::Undecided) => Some("Waiting for the browser's permission…"),
        _ => None,
    };
    view! {
        <div
            class="alerts-menu"
            on:keydown=move |event: leptos::ev::KeyboardEvent| {
                if event.key() == "Escape" {
                    open.set(false);
                }
            }
        >
            <button
                id="alerts-button"
                type="button"
                class="secondary small"
                aria-expanded=move || open.get().to_string()
                aria-controls="alerts-panel"
                on:click=move |_| open.update(|o| *o = !*o)
                title="Sound and desktop notifications"
            >
                {move || {
                    if alerts.sound.get() || alerts.desktop.get() { "Alerts on" } else { "Alerts off" }
                }}
            </button>
            <Show when=move || open.get()>
                <div id="alerts-panel" class="alerts-panel" role="group" aria-label="Alerts">
                    <p class="hint">
                        "For new messages in your conversations or unassigned ones, and for handoffs to a person."
                    </p>
                    <label class="check">
                        <input
                            id="alerts-sound"
                            type="checkbox"
                            prop:checked=move || alerts.sound.get()
                            on:change=move |event| alerts.set_sound(event_target_checked(&event))
                        />
                        "Play a sound"
                    </label>
                    <label class="check">
                        <input
                            id="alerts-desktop"
                            type="checkbox"
                            prop:checked=move || alerts.desktop.get()
                            on:change=move |event| alerts.set_desktop(event_target_checked(&event))
                        />
                        "Desktop notifications"
                    </label>
                    {move || {
                        blocked_note()
                            .map(|note| {
                                view! {
                                    <p id="alerts-blocked" class="notice warning" role="status">
                                        {note}
                                    </p>
                                }
                            })
                    }}
                </div>
            </Show>
        </div>
    }
}
