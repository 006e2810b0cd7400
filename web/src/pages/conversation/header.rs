//! The conversation's header: the way back to the list, who the customer is (with the
//! contact form), the controls, and what went wrong with a change.
//!
//! Every part follows the store on its own, so an update (a PATCH answer, the feed) never
//! re-creates the controls and keyboard focus stays.

use leptos::prelude::*;
use parley::wire::{ConversationStatus, Identity, UpdateConversation};

use super::controls::Controls;
use super::store::ConversationStore;
use crate::components::form::ErrorLine;
use crate::components::shell::Account;
use crate::components::status::identity_label;
use crate::pages::inbox::Inbox;

#[component]
pub fn ConversationHeader(
    store: ConversationStore,
    /// Opens the AI guide.
    on_guide: Callback<()>,
    /// Opens the simulator's "customer reply" (simulator mode only).
    on_simulate: Callback<()>,
) -> impl IntoView {
    let inbox = expect_context::<Inbox>();
    let account = expect_context::<Account>();
    // On a phone the details fold away behind this toggle.
    let expanded = RwSignal::new(false);
    view! {
        <header class="conv-header" class:expanded=move || expanded.get()>
            <a id="back-to-list" class="back" href=move || inbox.list_href()>
                <span aria-hidden="true">"← "</span>
                "Conversations"
            </a>
            <button
                id="conv-details"
                type="button"
                class="more secondary small"
                aria-expanded=move || expanded.get().to_string()
                on:click=move |_| expanded.update(|e| *e = !*e)
            >
                {move || if expanded.get() { "Hide details" } else { "Details" }}
            </button>
            <Show
                when=move || store.conversation.with(Option::is_some)
                fallback=|| {
                    view! {
                        <div class="who">
                            <h2 id="conv-title">"Loading…"</h2>
                        </div>
                    }
                }
            >
                <Contact store=store />
                <Controls store=store on_guide=on_guide />
            </Show>
            <Show when=move || account.simulator.get()>
                <button
                    id="simulate-reply"
                    type="button"
                    class="secondary small"
                    on:click=move |_| on_simulate.run(())
                >
                    "Simulate customer reply"
                </button>
            </Show>
            <ErrorLine id="header-error" error=store.header_error />
        </header>
    }
}

/// Who the customer is: name, company, phone, identity and AI state, and the form that
/// edits the contact.
#[component]
fn Contact(store: ConversationStore) -> impl IntoView {
    fn nonempty(value: &Option<String>) -> Option<String> {
        value.clone().filter(|v| !v.trim().is_empty())
    }
    let title = move || store.title().unwrap_or_default();
    let company = move || store.read(|c| nonempty(&c.company)).flatten();
    let phone = move || {
        store
            .read(|c| crate::util::phone_for_people(&c.phone_number))
            .unwrap_or_default()
    };
    let identity = move || store.read(|c| c.identity).unwrap_or(Identity::Unknown);
    let opted_out = move || store.read(|c| c.opted_out).unwrap_or(false);
    let closed = move || {
        store
            .read(|c| c.status == ConversationStatus::Closed)
            .unwrap_or(false)
    };
    let ai_error = move || store.read(|c| c.ai_error.clone()).flatten();
    // The AI asked for a person (or someone flagged it), and no one has answered yet.
    let handoff = move || {
        store
            .read(|c| {
                c.needs_human
                    .then(|| c.handoff_reason.clone().unwrap_or_default())
            })
            .flatten()
    };

    let editing = RwSignal::new(false);
    let name_draft = RwSignal::new(String::new());
    let company_draft = RwSignal::new(String::new());
    let toggle_editing = move |_| {
        if !editing.get_untracked() {
            store.conversation.with_untracked(|c| {
                if let Some(c) = c {
                    name_draft.set(c.contact_name.clone().unwrap_or_default());
                    company_draft.set(c.company.clone().unwrap_or_default());
                }
            });
        }
        editing.update(|e| *e = !*e);
    };
    let save_contact = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let clean = |value: String| {
            let value = value.trim().to_string();
            (!value.is_empty()).then_some(value)
        };
        store.update(UpdateConversation {
            contact_name: Some(clean(name_draft.get_untracked())),
            company: Some(clean(company_draft.get_untracked())),
            ..Default::default()
        });
        editing.set(false);
    };
    view! {
        <div class="who">
            <h2 id="conv-title" tabindex="-1">{title}</h2>
            <p class="sub">
                {move || company().map(|company| view! { <span id="conv-company">{company}</span> })}
                <span id="conv-phone">{phone}</span>
                <button
                    id="edit-contact"
                    type="button"
                    class="link-button"
                    aria-expanded=move || editing.get().to_string()
                    on:click=toggle_editing
                >
                    "Edit contact"
                </button>
            </p>
            <p class="chips">
                <span id="conv-identity" class="chip" data-identity=move || identity().as_str()>
                    {move || identity_label(identity())}
                </span>
                <Show when=opted_out>
                    <span id="conv-opted-out" class="chip danger">
                        "Opted out"
                    </span>
                </Show>
                <Show when=closed>
                    <span class="chip">"Closed"</span>
                </Show>
            </p>
            {move || {
                handoff()
                    .map(|reason| {
                        view! {
                            <p id="conv-needs-person" class="notice warning" role="status">
                                <strong>"Needs a person. "</strong>
                                {reason}
                                " "
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
        </div>
        <Show when=move || editing.get()>
            <form class="contact-form" on:submit=save_contact>
                <div class="field">
                    <label for="contact-name">"Contact name"</label>
                    <input id="contact-name" type="text" bind:value=name_draft />
                </div>
                <div class="field">
                    <label for="contact-company">"Company"</label>
                    <input id="contact-company" type="text" bind:value=company_draft />
                </div>
                <button id="contact-save" type="submit" class="primary small">
                    "Save"
                </button>
            </form>
        </Show>
    }
}
