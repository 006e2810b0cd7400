//! Assistants: list, create, edit the system prompt, model and temperature, choose the
//! tenant's default SMS assistant (admins; agents read).

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::AssistantId;
use parley::wire::{Assistant, CreateAssistant, UpdateAssistant, DEFAULT_MAX_SEGMENTS};

use crate::api::Api;
use crate::components::form::{ErrorLine, FormActions, SubmitButton};
use crate::components::shell::Account;
use crate::util::local_time;

/// What the form edits: a new assistant, or an existing one.
#[derive(Clone, Copy, PartialEq)]
enum Editing {
    Closed,
    New,
    Existing(AssistantId),
}

#[component]
pub fn AssistantsPage() -> impl IntoView {
    crate::util::set_title("Assistants");
    let api = Api::new();
    let account = expect_context::<Account>();
    let items = RwSignal::new(None::<Vec<Assistant>>);
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(Editing::Closed);
    let confirm_delete = RwSignal::new(None::<AssistantId>);

    let reload = move || {
        spawn_local(async move {
            match api.assistants().await {
                Ok(list) => {
                    items.try_set(Some(list));
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
        });
    };
    reload();

    let make_default = move |id: AssistantId| {
        error.set(None);
        spawn_local(async move {
            let changes = UpdateAssistant {
                is_default: Some(true),
                ..Default::default()
            };
            match api.update_assistant(id, &changes).await {
                Ok(_) => reload(),
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
        });
    };
    let delete = move |id: AssistantId| {
        error.set(None);
        spawn_local(async move {
            match api.delete_assistant(id).await {
                Ok(()) => reload(),
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
            confirm_delete.try_set(None);
        });
    };
    let admin = move || account.is_admin();
    let on_saved = Callback::new(move |_: ()| {
        editing.set(Editing::Closed);
        reload();
    });

    view! {
        <main class="page">
            <div class="page-head">
                <h1 id="assistants-title">"Assistants"</h1>
                <Show when=admin>
                    <button
                        id="new-assistant"
                        type="button"
                        class="primary small"
                        on:click=move |_| editing.set(Editing::New)
                    >
                        "New assistant"
                    </button>
                </Show>
            </div>
            <p class="hint">
                "The AI assistant answers customers by SMS. A conversation uses its own assistant if one is assigned, otherwise the default SMS assistant."
            </p>
            <Show when=move || !admin() && account.me.with(Option::is_some)>
                <p class="notice">"Only admins can change assistants."</p>
            </Show>
            <ErrorLine id="assistants-error" error=error />
            {move || {
                (editing.get() == Editing::New)
                    .then(|| {
                        view! {
                            <AssistantForm
                                existing=None
                                on_saved=on_saved
                                on_cancel=Callback::new(move |_| editing.set(Editing::Closed))
                            />
                        }
                    })
            }}
            <div id="assistant-list" class="cards stack" aria-live="polite">
                {move || match items.get() {
                    None => view! { <p class="placeholder">"Loading assistants…"</p> }.into_any(),
                    Some(list) if list.is_empty() => {
                        view! {
                            <p id="assistants-empty" class="placeholder">
                                "No assistant yet. When a customer texts, Parley creates one with a sensible prompt; or create your own."
                            </p>
                        }
                            .into_any()
                    }
                    Some(list) => {
                        list.into_iter()
                            .map(|assistant| {
                                let id = assistant.id;
                                if editing.get() == Editing::Existing(id) {
                                    return view! {
                                        <AssistantForm
                                            existing=Some(assistant)
                                            on_saved=on_saved
                                            on_cancel=Callback::new(move |_| editing.set(Editing::Closed))
                                        />
                                    }
                                        .into_any();
                                }
                                let is_default = assistant.is_default;
                                view! {
                                    <article class="card" data-testid="assistant" data-id=id.to_string()>
                                        <div class="card-head">
                                            <h2>
                                                {assistant.name.clone()}
                                                {is_default
                                                    .then(|| {
                                                        view! {
                                                            " "
                                                            <span class="chip" data-testid="default-badge">
                                                                "Default for SMS"
                                                            </span>
                                                        }
                                                    })}
                                            </h2>
                                            <Show when=admin>
                                                <div class="actions">
                                                    {(!is_default)
                                                        .then(|| {
                                                            view! {
                                                                <button
                                                                    type="button"
                                                                    class="secondary small"
                                                                    data-testid="make-default"
                                                                    on:click=move |_| make_default(id)
                                                                >
                                                                    "Make default"
                                                                </button>
                                                            }
                                                        })}
                                                    <button
                                                        type="button"
                                                        class="secondary small"
                                                        data-testid="edit-assistant"
                                                        on:click=move |_| editing.set(Editing::Existing(id))
                                                    >
                                                        "Edit"
                                                    </button>
                                                    {move || {
                                                        if confirm_delete.get() == Some(id) {
                                                            view! {
                                                                <button
                                                                    type="button"
                                                                    class="danger small"
                                                                    data-testid="confirm-delete-assistant"
                                                                    on:click=move |_| delete(id)
                                                                >
                                                                    "Confirm delete"
                                                                </button>
                                                            }
                                                                .into_any()
                                                        } else {
                                                            view! {
                                                                <button
                                                                    type="button"
                                                                    class="secondary small"
                                                                    data-testid="delete-assistant"
                                                                    on:click=move |_| confirm_delete.set(Some(id))
                                                                >
                                                                    "Delete"
                                                                </button>
                                                            }
                                                                .into_any()
                                                        }
                                                    }}
                                                </div>
                                            </Show>
                                        </div>
                                        <dl class="facts">
                                            <dt>"Model"</dt>
                                            <dd>
                                                {assistant
                                                    .model
                                                    .clone()
                                                    .unwrap_or_else(|| "Server default".to_string())}
                                            </dd>
                                            <dt>"Temperature"</dt>
                                            <dd>{format!("{:.1}", assistant.temperature)}</dd>
                                            <dt>"Longest reply"</dt>
                                            <dd>
                                                {match assistant.max_segments {
                                                    1 => "1 segment".to_string(),
                                                    n => format!("{n} segments"),
                                                }}
                                            </dd>
                                            <dt>"Channel"</dt>
                                            <dd>{assistant.channel.as_str().to_uppercase()}</dd>
                                            <dt>"Updated"</dt>
                                            <dd>{local_time(assistant.updated_at)}</dd>
                                        </dl>
                                        <p class="hint">"System prompt"</p>
                                        <p class="prompt">{assistant.system_prompt.clone()}</p>
                                    </article>
                                }
                                    .into_any()
                            })
                            .collect_view()
                            .into_any()
                    }
                }}
            </div>
        </main>
    }
}

#[component]
fn AssistantForm(
    existing: Option<Assistant>,
    on_saved: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = Api::new();
    let id = existing.as_ref().map(|a| a.id);
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
    );
    let prompt = RwSignal::new(
        existing
            .as_ref()
            .map(|a| a.system_prompt.clone())
            .unwrap_or_default(),
    );
    let model = RwSignal::new(
        existing
            .as_ref()
            .and_then(|a| a.model.clone())
            .unwrap_or_default(),
    );
    let temperature = RwSignal::new(
        existing
            .as_ref()
            .map(|a| format!("{:.1}", a.temperature))
            .unwrap_or_else(|| "0.7".to_string()),
    );
    let max_segments = RwSignal::new(
        existing
            .as_ref()
            .map(|a| a.max_segments)
            .unwrap_or(DEFAULT_MAX_SEGMENTS)
            .to_string(),
    );
    let is_default = RwSignal::new(existing.as_ref().is_some_and(|a| a.is_default));
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let temperature_value = match temperature.get_untracked().trim() {
            "" => None,
            text => match text.parse::<f32>() {
                Ok(value) => Some(value),
                Err(_) => {
                    error.set(Some("The temperature is a number, e.g. 0.7.".to_string()));
                    return;
                }
            },
        };
        let model_value = Some(model.get_untracked().trim().to_string()).filter(|m| !m.is_empty());
        let max_segments_value = max_segments.get_untracked().parse::<i32>().ok();
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match id {
                None => api
                    .create_assistant(&CreateAssistant {
                        name: name.get_untracked().trim().to_string(),
                        system_prompt: prompt.get_untracked(),
                        model: model_value,
                        temperature: temperature_value,
                        channel: None,
                        is_default: Some(is_default.get_untracked()),
                        max_segments: max_segments_value,
                    })
                    .await
                    .map(|_| ()),
                Some(id) => api
                    .update_assistant(
                        id,
                        &UpdateAssistant {
                            name: Some(name.get_untracked().trim().to_string()),
                            system_prompt: Some(prompt.get_untracked()),
                            model: Some(model_value),
                            temperature: temperature_value,
                            is_default: is_default.get_untracked().then_some(true),
                            max_segments: max_segments_value,
                        },
                    )
                    .await
                    .map(|_| ()),
            };
            match result {
                Ok(()) => on_saved.run(()),
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
            pending.try_set(false);
        });
    };
    let heading = if id.is_some() {
        "Edit assistant"
    } else {
        "New assistant"
    };
    view! {
        <form class="card stack" id="assistant-form" on:submit=submit novalidate aria-label=heading>
            <h2>{heading}</h2>
            <div class="field">
                <label for="assistant-name">"Name"</label>
                <input id="assistant-name" type="text" required bind:value=name />
            </div>
            <div class="field">
                <label for="assistant-prompt">"System prompt"</label>
                <textarea id="assistant-prompt" rows="6" required bind:value=prompt></textarea>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="assistant-model">"Model " <span class="optional">"(empty: server default)"</span></label>
                    <input id="assistant-model" type="text" bind:value=model />
                </div>
                <div class="field">
                    <label for="assistant-temperature">"Temperature"</label>
                    <input
                        id="assistant-temperature"
                        type="number"
                        min="0"
                        max="2"
                        step="0.1"
                        inputmode="decimal"
                        bind:value=temperature
                    />
                </div>
            </div>
            <div class="field">
                <label for="assistant-max-segments">"Longest reply"</label>
                <select id="assistant-max-segments" bind:value=max_segments>
                    {(1..=10)
                        .map(|n| {
                            let label = match n {
                                1 => "1 SMS segment (160 characters)".to_string(),
                                n => format!("{n} SMS segments ({} characters)", 153 * n),
                            };
                            view! { <option value=n.to_string()>{label}</option> }
                        })
                        .collect_view()}
                </select>
                <p class="hint">"Longer answers are cut after the last sentence that fits."</p>
            </div>
            <label class="checkbox" for="assistant-default">
                <input id="assistant-default" type="checkbox" bind:checked=is_default />
                "Default assistant for SMS"
            </label>
            <ErrorLine id="assistant-error" error=error />
            <FormActions on_cancel=on_cancel>
                <SubmitButton id="assistant-save" label="Save" pending_label="Saving…" pending=pending />
            </FormActions>
        </form>
    }
}
