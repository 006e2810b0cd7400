//! Simulator mode: pretend a customer texted the tenant's number, with a picture or file if
//! wanted (uploaded first, then handed to the simulator as `media_ids`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::mms::{check_attachment, ALLOWED_TYPES, DEFAULT_MAX_UPLOAD_BYTES};

use crate::api::Api;
use crate::components::form::{ErrorLine, FormActions, SubmitButton};
use crate::components::modal::Modal;

#[component]
pub fn SimulateDialog(
    on_close: Callback<()>,
    /// The number to prefill (the open conversation's customer).
    #[prop(optional, into)]
    from: Option<String>,
    /// Called once the simulated message was accepted.
    #[prop(optional)]
    on_sent: Option<Callback<()>>,
) -> impl IntoView {
    let api = Api::new();
    let from = RwSignal::new(from.unwrap_or_default());
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    // The chosen file, checked as the composer checks attachments.
    let chosen = move || -> Result<Option<web_sys::File>, String> {
        let Some(file) = file_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.item(0))
        else {
            return Ok(None);
        };
        let size = file.size().max(0.0) as u64;
        check_attachment(&file.type_(), size, DEFAULT_MAX_UPLOAD_BYTES as u64, 0, 0)
            .map(|_| Some(file.clone()))
            .map_err(|problem| format!("“{}” cannot be sent: {problem}.", file.name()))
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (number, body) = (from.get_untracked(), text.get_untracked());
        let file = match chosen() {
            Ok(file) => file,
            Err(problem) => {
                error.set(Some(problem));
                return;
            }
        };
        if number.trim().is_empty() || (body.trim().is_empty() && file.is_none()) {
            error.set(Some(
                "Enter the customer's number and their message (or attach a picture).".to_string(),
            ));
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let mut media_ids = Vec::new();
            if let Some(file) = file {
                match api.upload_media(&file).await {
                    Ok(item) => media_ids.push(item.id),
                    Err(failure) => {
                        error.try_set(Some(failure.message()));
                        pending.try_set(false);
                        return;
                    }
                }
            }
            match api.simulate_inbound(number.trim(), &body, &media_ids).await {
                Ok(()) => {
                    if let Some(on_sent) = on_sent {
                        on_sent.run(());
                    }
                    on_close.run(());
                }
                Err(failure) => error.set(Some(failure.message())),
            }
            pending.try_set(false);
        });
    };
    view! {
        <Modal id="simulate-dialog" title="Simulate an inbound SMS" on_close=on_close>
            <form class="stack" on:submit=submit novalidate>
                <p class="hint">
                    "Parley runs against its built-in carrier simulator: this sends a signed webhook exactly as Telnyx would when a customer texts you."
                </p>
                <div class="field">
                    <label for="sim-from">"Customer's number"</label>
                    <input id="sim-from" type="tel" inputmode="tel" bind:value=from />
                </div>
                <div class="field">
                    <label for="sim-text">"Their message"</label>
                    <textarea id="sim-text" rows="3" bind:value=text></textarea>
                </div>
                <div class="field">
                    <label for="sim-file">"A picture or file (optional)"</label>
                    <input
                        id="sim-file"
                        type="file"
                        accept=ALLOWED_TYPES.join(",")
                        node_ref=file_input
                        on:change=move |_| error.set(chosen().err())
                    />
                </div>
                <ErrorLine id="sim-error" error=error />
                <FormActions>
                    <SubmitButton
                        id="sim-submit"
                        label="Send as the customer"
                        pending_label="Sending…"
                        pending=pending
                    />
                </FormActions>
            </form>
        </Modal>
    }
}
