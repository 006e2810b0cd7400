//! The header's controls: qualification, assistant, the AI switch, the guide, and closing
//! or reopening the conversation. Each change goes to the server through the store.

use leptos::prelude::*;
use parley::wire::{AssistantId, UserId};
use parley::wire::{ConversationStatus, QualificationStatus, UpdateConversation};

use crate::util::list_time;

use super::store::ConversationStore;
use crate::components::form::EnumSelect;

#[component]
pub fn Controls(
    store: ConversationStore,
    /// Opens the AI guide.
    on_guide: Callback<()>,
) -> impl IntoView {
    let qualification = Signal::derive(move || store.read(|c| c.qualification_status));
    let assistant_id = move || store.read(|c| c.assistant_id).flatten();
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
    let assistants = store.assistants;
    let has_guide = store.has_guide;
    view! {
        <div class="conv-controls">
            <div class="control">
                <label for="qualification">"Qualification"</label>
                <EnumSelect
                    id="qualification"
                    selected=qualification
                    on_change=Callback::new(move |status: Option<QualificationStatus>| {
                        if let Some(status) = status {
                            store
                                .update(UpdateConversation {
                                    qualification_status: Some(status),
                                    ..Default::default()
                                });
                        }
                    })
                />
            </div>
            <div class="control">
                <label for="assistant">"Assistant"</label>
                <select
                    id="assistant"
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        store
                            .update(UpdateConversation {
                                assistant_id: Some(value.parse::<AssistantId>().ok()),
                                ..Default::default()
                            });
                    }
                >
                    <option value="" prop:selected=move || assistant_id().is_none()>
                        "Tenant default"
                    </option>
                    <For each=move || assistants.get() key=|a| (a.id, a.is_default, a.name.clone()) let:assistant>
                        {
                            let id = assistant.id;
                            let label = if assistant.is_default {
                                format!("{} (default)", assistant.name)
                            } else {
                                assistant.name.clone()
                            };
                            view! {
                                <option value=id.to_string() prop:selected=move || assistant_id() == Some(id)>
                                    {label}
                                </option>
                            }
                        }
                    </For>
                </select>
            </div>
            <div class="control">
                <label for="assignee">"Assigned to"</label>
                <select
                    id="assignee"
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        store
                            .update(UpdateConversation {
                                assignee_id: Some(value.parse::<UserId>().ok()),
                                ..Default::default()
                            });
                    }
                >
                    <option value="" prop:selected=move || assignee().is_none()>
                        "Unassigned"
                    </option>
                    <For each=move || users.get() key=|u| (u.id, u.name.clone()) let:user>
                        {
                            let id = user.id;
                            view! {
                                <option value=id.to_string() prop:selected=move || assignee() == Some(id)>
                                    {user.name.clone()}
                                </option>
                            }
                        }
                    </For>
                </select>
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
                        (false, _) => view! { <span>"AI replies off"</span> }.into_any(),
                        (true, Some(until)) => {
                            view! {
                                <span id="conv-ai-paused">
                                    {format!("AI paused until {}", list_time(until))}
                                </span>
                            }
                                .into_any()
                        }
                        (true, None) => view! { <span>"AI replies on"</span> }.into_any(),
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
                id="guide-button"
                type="button"
                class="secondary small"
                on:click=move |_| on_guide.run(())
            >
                "AI Guide"
                {move || {
                    (has_guide.get() == Some(true))
                        .then(|| {
                            view! {
                                <span class="dot-marker" aria-label="(set)" id="guide-set"></span>
                            }
                        })
                }}
            </button>
            <button
                id="status-toggle"
                type="button"
                class="secondary small"
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
                {move || if closed() { "Reopen" } else { "Close conversation" }}
            </button>
        </div>
    }
}
