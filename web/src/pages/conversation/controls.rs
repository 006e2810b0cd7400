//! The header's controls, the ones an agent uses every minute: who the conversation is
//! assigned to, the AI switch, and closing or reopening it. Each change goes to the server
//! through the store. (Qualification, assistant and guide live in the contact panel.)

use leptos::prelude::*;
use parley::wire::{ConversationStatus, UpdateConversation};

use crate::components::assignee::AssigneeSelect;
use crate::util::list_time;

use super::store::ConversationStore;

#[component]
pub fn Controls(store: ConversationStore) -> impl IntoView {
    let ai_enabled = move || store.read(|c| c.ai_enabled).unwrap_or(false);
    // One control, three states: on; paused until a time because a person replied (with
    // Resume); off.
    let paused_until = move || {
        store
            .read(|c| c.ai_paused_until.filter(|_| c.ai_enabled))
            .flatten()
            .filter(|until| *until > crate::util::now())
    };
    let assignee = move || store.read(|c| c.assignee_id).flatten();
    let users = store.users;
    let closed = move || {
        store
            .read(|c| c.status == ConversationStatus::Closed)
            .unwrap_or(false)
    };
    view! {
        <div class="conv-controls">
            <div class="control">
                <label for="assignee">"Assigned to"</label>
                <AssigneeSelect
                    id="assignee"
                    users=users
                    assignee=Signal::derive(assignee)
                    on_change=Callback::new(move |assignee_id| {
                        store
                            .update(UpdateConversation {
                                assignee_id: Some(assignee_id),
                                ..Default::default()
                            })
                    })
                />
            </div>
            <div class="ai-state">
                <button
                    id="ai-toggle"
                    type="button"
                    role="switch"
                    class="switch"
                    class:on=move || ai_enabled() && paused_until().is_none()
                    class:paused=move || paused_until().is_some()
                    aria-checked=move || {
                        match (ai_enabled(), paused_until().is_some()) {
                            (false, _) => "false",
                            (true, true) => "mixed",
                            (true, false) => "true",
                        }
                    }
                    title=move || {
                        if paused_until().is_some() {
                            "A person replied, so the AI waits. Click to turn the AI off."
                        } else {
                            ""
                        }
                    }
                    on:click=move |_| {
                        store
                            .update(UpdateConversation {
                                ai_enabled: Some(!ai_enabled()),
                                ..Default::default()
                            })
                    }
                >
                    <span class="track" aria-hidden="true">
                        <span class="thumb"></span>
                    </span>
                    {move || match (ai_enabled(), paused_until()) {
                        (false, _) => view! { <span>"AI off"</span> }.into_any(),
                        (true, Some(until)) => {
                            view! {
                                <span id="conv-ai-paused">
                                    {format!("AI paused until {}", list_time(until))}
                                </span>
                            }
                                .into_any()
                        }
                        (true, None) => view! { <span>"AI on"</span> }.into_any(),
                    }}
                </button>
                <Show when=move || paused_until().is_some()>
                    <button
                        id="ai-resume"
                        type="button"
                        class="secondary small"
                        on:click=move |_| {
                            store
                                .update(UpdateConversation {
                                    ai_enabled: Some(true),
                                    ..Default::default()
                                })
                        }
                    >
                        "Resume"
                    </button>
                </Show>
            </div>
            <button
                id="status-toggle"
                type="button"
                class="secondary small"
                aria-label=move || if closed() { "Reopen conversation" } else { "Close conversation" }
                on:click=move |_| {
                    store
                        .update(UpdateConversation {
                            status: Some(
                                if closed() { ConversationStatus::Active } else { ConversationStatus::Closed },
                            ),
                            ..Default::default()
                        })
                }
            >
                {move || if closed() { "Reopen" } else { "Close" }}
            </button>
        </div>
    }
}
