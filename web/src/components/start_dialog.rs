//! "Start conversation": phone (its E.164 form shown as you type, from the server), optional
//! contact name and company, the first message.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::{StartConversation, StartedConversation};

use crate::api::Api;
use crate::components::composer::SegmentCounter;
use crate::components::form::{ErrorLine, FieldError, FormActions, SubmitButton};
use crate::components::modal::Modal;
use crate::util::Debouncer;

/// What the server makes of the typed number.
#[derive(Clone, PartialEq)]
enum PhoneHint {
    None,
    Checking,
    Valid(String),
    Invalid(String),
}

#[component]
pub fn StartDialog(
    on_close: Callback<()>,
    on_started: Callback<StartedConversation>,
) -> impl IntoView {
    let api = Api::new();
    let phone = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let hint = RwSignal::new(PhoneHint::None);
    let phone_error = RwSignal::new(None::<String>);
    let message_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let debouncer = Debouncer::new(Duration::from_millis(300));
    let sequence = StoredValue::new(0u64);

    let on_phone = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        phone.set(value.clone());
        phone_error.set(None);
        let seq = sequence.get_value() + 1;
        sequence.set_value(seq);
        if value.trim().is_empty() {
            debouncer.cancel();
            hint.set(PhoneHint::None);
            return;
        }
        hint.set(PhoneHint::Checking);
        debouncer.call(move || {
            spawn_local(async move {
                let answer = api.normalize_phone(value.trim()).await;
                if sequence.try_get_value() != Some(seq) {
                    return; // The person typed on: a newer answer is coming.
                }
                hint.set(match answer {
                    Ok(normalized) => match normalized.e164 {
                        Some(e164) => PhoneHint::Valid(e164),
                        None => PhoneHint::Invalid(
                            normalized
                                .error
                                .unwrap_or_else(|| "Not a valid phone number.".to_string()),
                        ),
                    },
                    Err(_) => PhoneHint::None,
                });
            });
        });
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        error.set(None);
        let mut ok = true;
        if phone.get_untracked().trim().is_empty() {
            phone_error.set(Some("Enter the customer's phone number.".to_string()));
            ok = false;
        }
        if message.get_untracked().trim().is_empty() {
            message_error.set(Some("Write the first message.".to_string()));
            ok = false;
        }
        if !ok {
            return;
        }
        let optional = |value: String| {
            let value = value.trim().to_string();
            (!value.is_empty()).then_some(value)
        };
        let body = StartConversation {
            phone_number: phone.get_untracked().trim().to_string(),
            contact_name: optional(name.get_untracked()),
            company: optional(company.get_untracked()),
            message: message.get_untracked(),
        };
        pending.set(true);
        spawn_local(async move {
            match api.start_conversation(&body).await {
                Ok(started) => on_started.run(started),
                Err(failure) => {
                    let text = failure.message();
                    match failure.field() {
                        Some("phone_number") => phone_error.set(Some(text)),
                        Some("message") => message_error.set(Some(text)),
                        _ => error.set(Some(text)),
                    }
                }
            }
            pending.try_set(false);
        });
    };

    view! {
        <Modal id="start-dialog" title="Start a conversation" on_close=on_close>
            <form class="stack" on:submit=submit novalidate>
                <div class="field">
                    <label for="start-phone">"Phone number"</label>
                    <input
                        id="start-phone"
                        type="tel"
                        inputmode="tel"
                        autocomplete="off"
                        placeholder="+14165551234 or (416) 555-1234"
                        required
                        aria-describedby="start-phone-hint start-phone-error"
                        aria-invalid=move || phone_error.with(Option::is_some).to_string()
                        prop:value=move || phone.get()
                        on:input=on_phone
                    />
                    <p id="start-phone-hint" class="hint" aria-live="polite">
                        {move || match hint.get() {
                            PhoneHint::None => {
                                view! { <span>"E.164 or a national number of your region."</span> }
                                    .into_any()
                            }
                            PhoneHint::Checking => view! { <span>"Checking…"</span> }.into_any(),
                            PhoneHint::Valid(e164) => {
                                view! {
                                    <span>
                                        "Will text "
                                        <strong id="start-phone-e164">{e164}</strong>
                                    </span>
                                }
                                    .into_any()
                            }
                            PhoneHint::Invalid(_) if phone_error.with(Option::is_some) => {
                                ().into_any()
                            }
                            PhoneHint::Invalid(why) => {
                                view! {
                                    <span id="start-phone-invalid" class="warning-text">
                                        {why}
                                    </span>
                                }
                                    .into_any()
                            }
                        }}
                    </p>
                    <FieldError id="start-phone-error" error=phone_error />
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="start-name">"Contact name " <span class="optional">"(optional)"</span></label>
                        <input id="start-name" type="text" autocomplete="off" bind:value=name />
                    </div>
                    <div class="field">
                        <label for="start-company">"Company " <span class="optional">"(optional)"</span></label>
                        <input id="start-company" type="text" autocomplete="off" bind:value=company />
                    </div>
                </div>
                <div class="field">
                    <label for="start-message">"First message"</label>
                    <textarea
                        id="start-message"
                        rows="4"
                        required
                        aria-describedby="start-segments"
                        aria-invalid=move || message_error.with(Option::is_some).to_string()
                        prop:value=move || message.get()
                        on:input=move |event| {
                            message.set(event_target_value(&event));
                            message_error.set(None);
                        }
                    ></textarea>
                    <SegmentCounter text=message id="start-segments" />
                    <FieldError id="start-message-error" error=message_error />
                </div>
                <ErrorLine id="start-error" error=error />
                <FormActions>
                    <SubmitButton
                        id="start-submit"
                        label="Start conversation"
                        pending_label="Starting…"
                        pending=pending
                    />
                </FormActions>
            </form>
        </Modal>
    }
}
