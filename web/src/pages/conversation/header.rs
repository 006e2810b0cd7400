//! The conversation's header, kept to what an agent uses every minute: the way back to the
//! list, who the customer is (name, number, status chips), assignment, the AI switch,
//! closing, the contact panel's button, the simulator's Demo menu, and what needs attention
//! (a handoff, a failed AI reply, a refused change).
//!
//! Every part follows the store on its own, so an update (a PATCH answer, the feed) never
//! re-creates the controls and keyboard focus stays.

use leptos::prelude::*;
use parley::wire::{ConversationStatus, UpdateConversation};

use super::contact_panel::Panel;
use super::controls::Controls;
use super::demo_menu::DemoMenu;
use super::store::ConversationStore;
use crate::components::form::ErrorLine;
use crate::components::shell::Account;
use crate::pages::inbox::Inbox;

#[component]
pub fn ConversationHeader(
    store: ConversationStore,
    panel: Panel,
    /// Opens the simulator's "customer reply" (simulator mode only).
    on_simulate: Callback<()>,
) -> impl IntoView {
    let inbox = expect_context::<Inbox>();
    let account = expect_context::<Account>();
    let loaded = move || store.conversation.with(Option::is_some);
    view! {
        <header class="conv-header">
            <a id="back-to-list" class="back" href=move || inbox.list_href()>
                <span aria-hidden="true">"← "</span>
                "Conversations"
            </a>
            <Show
                when=loaded
                fallback=|| {
                    view! {
                        <div class="who">
                            <h2 id="conv-title">"Loading…"</h2>
                        </div>
                    }
                }
            >
                <Who store=store />
                <Controls store=store />
            </Show>
            <div class="conv-header-end">
                <Show when=move || account.simulator.get() && loaded()>
                    <DemoMenu store=store on_simulate=on_simulate />
                </Show>
                <button
                    id="contact-panel-toggle"
                    type="button"
                    class="secondary small"
                    aria-controls="contact-panel"
                    aria-expanded=move || panel.open.get().to_string()
                    on:click=move |_| panel.toggle()
                >
                    "Contact"
                </button>
            </div>
            <Notices store=store />
            <ErrorLine id="header-error" error=store.header_error />
        </header>
    }
}

/// The customer's name and number as the tenant reads it, and the states that change what
/// the agent may do: opted out, closed.
#[component]
fn Who(store: ConversationStore) -> impl IntoView {
    let title = move || store.title().unwrap_or_default();
    let phone = move || {
        store
            .read(|c| crate::util::phone_for_people(&c.phone_number))
            .unwrap_or_default()
    };
    let opted_out = move || store.read(|c| c.opted_out).unwrap_or(false);
    let closed = move || {
        store
            .read(|c| c.status == ConversationStatus::Closed)
            .unwrap_or(false)
    };
    view! {
        <div class="who">
            <h2 id="conv-title" tabindex="-1">{title}</h2>
            <p class="sub">
                <span id="conv-phone">{phone}</span>
                <Show when=opted_out>
                    <span id="conv-opted-out" class="chip danger">
                        "Opted out"
                    </span>
                </Show>
                <Show when=closed>
                    <span id="conv-closed" class="chip">
                        "Closed"
                    </span>
                </Show>
            </p>
        </div>
    }
}

/// What needs a person's attention: the AI asked for a person (or someone flagged it) and no
/// one has answered yet; the last AI reply failed.
#[component]
fn Notices(store: ConversationStore) -> impl IntoView {
    let handoff = move || {
        store
            .read(|c| {
                c.needs_human
                    .then(|| c.handoff_reason.clone().unwrap_or_default())
            })
            .flatten()
    };
    let ai_error = move || store.read(|c| c.ai_error.clone()).flatten();
    view! {
        {move || {
            handoff()
                .map(|reason| {
                    view! {
                        <p id="conv-needs-person" class="notice warning" role="status">
                            <span>
                                <strong>"Needs a person. "</strong>
                                {reason}
                            </span>
                            <button
                                id="handoff-done"
                                type="button"
                                class="link-button"
                                on:click=move |_| {
                                    store
                                        .update(UpdateConversation {
                                            needs_human: Some(false),
                                            ..Default::default()
                                        })
                                }
                            >
                                "Mark as handled"
                            </button>
                        </p>
                    }
                })
        }}
        {move || {
            ai_error()
                .map(|error| {
                    view! {
                        <p id="conv-ai-error" class="notice warning" role="status">
                            {format!("The last AI reply failed: {error}")}
                        </p>
                    }
                })
        }}
    }
}
