//! The AI guide of a conversation: read, write, save and clear the instructions the
//! assistant follows there.

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::ConversationId;

use crate::api::Api;
use crate::components::form::{ErrorLine, FormActions, SubmitButton};
use crate::components::modal::Modal;
use crate::util::local_time;

#[component]
pub fn GuideDialog(
    conversation_id: ConversationId,
    on_close: Callback<()>,
    /// Called with whether the conversation has a guide after a save or a clear.
    on_change: Callback<bool>,
) -> impl IntoView {
    let api = Api::new();
    let text = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let pending = RwSignal::new(false);
    let status = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);

    spawn_local(async move {
        match api.guide(conversation_id).await {
            Ok(Some(guide)) => {
                text.try_set(guide.text.clone());
                saved.try_set(Some(guide.text));
                if let Some(at) = guide.updated_at {
                    status.try_set(Some(format!("Last saved {}", local_time(at))));
                }
            }
            Ok(None) => {
                status.try_set(Some("This conversation has no guide yet.".to_string()));
            }
            Err(failure) => {
                error.try_set(Some(failure.message()));
            }
        }
        loading.try_set(false);
    });

    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let value = text.get_untracked();
        if value.trim().is_empty() {
            error.set(Some(
                "Write the guidance first, or use Clear to remove the guide.".to_string(),
            ));
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.put_guide(conversation_id, &value).await {
                Ok(guide) => {
                    saved.try_set(Some(guide.text));
                    if let Some(at) = guide.updated_at {
                        status.try_set(Some(format!("Saved {}", local_time(at))));
                    }
                    on_change.run(true);
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
            pending.try_set(false);
        });
    };
    let clear = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.delete_guide(conversation_id).await {
                Ok(()) => {
                    text.try_set(String::new());
                    saved.try_set(None);
                    status.try_set(Some("Guide cleared.".to_string()));
                    on_change.run(false);
                }
                Err(failure) if failure.is_not_found() => {
                    text.try_set(String::new());
                    saved.try_set(None);
                    status.try_set(Some("Guide cleared.".to_string()));
                    on_change.run(false);
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
            pending.try_set(false);
        });
    };
    let dirty = move || saved.with(|s| s.clone().unwrap_or_default()) != text.get();

    view! {
        <Modal id="guide-dialog" title="AI guide" on_close=on_close>
            <form class="stack" on:submit=save novalidate>
                <p class="hint" id="guide-help">
                    "Instructions the AI assistant follows in this conversation only, e.g. “This customer is interested in enterprise plans. Focus on ROI.”"
                </p>
                <div class="field">
                    <label for="guide-text">"Guidance"</label>
                    <textarea
                        id="guide-text"
                        rows="6"
                        aria-describedby="guide-help guide-status"
                        disabled=move || loading.get()
                        prop:value=move || text.get()
                        on:input=move |event| text.set(event_target_value(&event))
                    ></textarea>
                </div>
                <p id="guide-status" class="hint" role="status">
                    {move || {
                        if loading.get() {
                            "Loading the guide…".to_string()
                        } else if dirty() {
                            "Unsaved changes.".to_string()
                        } else {
                            status.get().unwrap_or_default()
                        }
                    }}
                </p>
                <ErrorLine id="guide-error" error=error />
                <FormActions>
                    <button
                        id="guide-clear"
                        type="button"
                        class="secondary"
                        on:click=clear
                        disabled=move || pending.get() || loading.get() || saved.with(Option::is_none)
                    >
                        "Clear guide"
                    </button>
                    <SubmitButton
                        id="guide-save"
                        label="Save guide"
                        pending_label="Saving…"
                        pending=pending
                        disabled=loading
                    />
                </FormActions>
            </form>
        </Modal>
    }
}
