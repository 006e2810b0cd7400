//! Simulator mode: pretend a customer texted the tenant's number.

use leptos::prelude::*;
use leptos::task::spawn_local;

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
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (number, body) = (from.get_untracked(), text.get_untracked());
        if number.trim().is_empty() || body.trim().is_empty() {
            error.set(Some(
                "Enter the customer's number and their message.".to_string(),
            ));
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.simulate_inbound(number.trim(), &body).await {
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
