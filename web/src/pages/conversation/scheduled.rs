//! Messages that wait to leave: when (a scheduled one in the tenant's zone, a held one in the
//! customer's), and what can be done before they go: edit the text or the time, cancel (after
//! a confirmation), and for admins send now (which overrides quiet hours).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::{Message, MessageStatus, UpdateMessage};

use super::store::ConversationStore;
use crate::components::composer::SegmentCounter;
use crate::components::settings::TenantSettings;
use crate::components::shell::Account;
use crate::components::status::is_waiting;
use crate::util::now;
use crate::zones;

/// The zone a held message's time is told in: the customer's, else the tenant's (tracked).
fn customer_zone(store: ConversationStore, settings: TenantSettings) -> String {
    store
        .read(|c| c.customer_time_zone.clone())
        .flatten()
        .filter(|zone| zones::is_known(zone))
        .unwrap_or_else(|| settings.time_zone())
}

/// "Held until 08:00 their time" (the day in front when it is not today there).
fn held_words(zone: &str, until: Option<DateTime<Utc>>) -> String {
    let wall = until.and_then(|until| zones::wall_time(zone, until));
    let today = zones::wall_time(zone, now()).map(|wall| wall.date());
    match (wall, today) {
        (Some(wall), Some(today)) => {
            format!("Held until {} their time", zones::clock_words(wall, today))
        }
        _ => "Held for the customer's quiet hours".to_string(),
    }
}

/// When a waiting message leaves, in words, in place of its time and status.
#[component]
pub fn WaitingWhen(message: Message, store: ConversationStore) -> impl IntoView {
    let settings = TenantSettings::get();
    if message.status == MessageStatus::HeldQuietHours {
        let until = message.held_until;
        let zone = Memo::new(move |_| customer_zone(store, settings));
        return view! {
            <span
                class="status held"
                data-testid="message-status"
                data-status="held_quiet_hours"
                title=move || {
                    let zone = zone.get();
                    let full = until.map(|at| zones::words_in(&zone, at)).unwrap_or_default();
                    format!(
                        "Due inside the customer's quiet hours: it leaves when they end ({full}, {}).",
                        zones::zone_label(&zone),
                    )
                }
            >
                {move || held_words(&zone.get(), until)}
            </span>
        }
        .into_any();
    }
    let at = message.scheduled_at;
    let zone = Memo::new(move |_| settings.time_zone());
    view! {
        <span
            class="status scheduled"
            data-testid="message-status"
            data-status="scheduled"
            title=move || zones::zone_label(&zone.get())
        >
            {move || match at {
                Some(at) => format!("Scheduled for {}", zones::words_in(&zone.get(), at)),
                None => "Scheduled".to_string(),
            }}
        </span>
    }
    .into_any()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Idle,
    Editing,
    ConfirmCancel,
}

/// Edit, Cancel and (admins) Send now under a waiting message.
#[component]
pub fn ScheduledActions(message: Message, store: ConversationStore) -> impl IntoView {
    let account = expect_context::<Account>();
    let id = message.id;
    // Scheduled and held messages alike can still be changed or cancelled (a held one given
    // a time is scheduled again).
    let editable = is_waiting(message.status);
    let held = message.status == MessageStatus::HeldQuietHours;
    let step = RwSignal::new(Step::Idle);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let run = move |action: Action| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match action {
                Action::Cancel => store.cancel_scheduled(id).await,
                Action::SendNow => store.send_now(id).await,
            };
            busy.try_set(false);
            match result {
                Ok(()) => {
                    step.try_set(Step::Idle);
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
        });
    };
    let cancel = move || run(Action::Cancel);
    let send_now = move || run(Action::SendNow);

    view! {
        <div class="scheduled-actions" data-testid="scheduled-actions">
            {move || match step.get() {
                Step::Editing => {
                    view! {
                        <EditScheduled
                            message=message.clone()
                            store=store
                            on_done=Callback::new(move |_| step.set(Step::Idle))
                        />
                    }
                        .into_any()
                }
                Step::ConfirmCancel => {
                    view! {
                        <span class="confirm-text">"Cancel this message?"</span>
                        <button
                            type="button"
                            class="secondary small"
                            data-testid="scheduled-keep"
                            on:click=move |_| step.set(Step::Idle)
                        >
                            "Keep it"
                        </button>
                        <button
                            type="button"
                            class="danger small"
                            data-testid="scheduled-confirm-cancel"
                            disabled=move || busy.get()
                            on:click=move |_| cancel()
                        >
                            "Cancel message"
                        </button>
                    }
                        .into_any()
                }
                Step::Idle => {
                    view! {
                        {editable
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid="scheduled-edit"
                                        on:click=move |_| {
                                            error.set(None);
                                            step.set(Step::Editing);
                                        }
                                    >
                                        "Edit"
                                    </button>
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid="scheduled-cancel"
                                        on:click=move |_| {
                                            error.set(None);
                                            step.set(Step::ConfirmCancel);
                                        }
                                    >
                                        "Cancel"
                                    </button>
                                }
                            })}
                        {move || {
                            account
                                .is_admin()
                                .then(|| {
                                    view! {
                                        <button
                                            type="button"
                                            class="link-button"
                                            data-testid="scheduled-send-now"
                                            title=if held {
                                                "Send it now, inside the customer's quiet hours"
                                            } else {
                                                "Send it now instead of at its time"
                                            }
                                            disabled=move || busy.get()
                                            on:click=move |_| send_now()
                                        >
                                            "Send now"
                                        </button>
                                    }
                                })
                        }}
                    }
                        .into_any()
                }
            }}
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="message-error" data-testid="scheduled-error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// What a button of [`ScheduledActions`] asks the server.
#[derive(Clone, Copy)]
enum Action {
    Cancel,
    SendNow,
}

/// The text and the time of a scheduled message, changed in place (the time in the tenant's
/// zone, named beside it).
#[component]
fn EditScheduled(
    message: Message,
    store: ConversationStore,
    on_done: Callback<()>,
) -> impl IntoView {
    let settings = TenantSettings::get();
    let zone = settings.time_zone_untracked();
    let id = message.id;
    let original_text = message.text.clone();
    let original_wall = message
        .scheduled_at
        .and_then(|at| zones::wall_time(&zone, at))
        .map(zones::local_input_value)
        .unwrap_or_default();
    let text = RwSignal::new(message.text.clone());
    let time = RwSignal::new(original_wall.clone());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let min = zones::wall_time(&zone, now())
        .map(zones::local_input_value)
        .unwrap_or_default();
    let label = zones::zone_label(&zone);

    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let new_text = text.get_untracked();
        let new_time = time.get_untracked();
        let mut changes = UpdateMessage::default();
        if new_text != original_text {
            if new_text.trim().is_empty() {
                error.set(Some("Write the message, or cancel it.".to_string()));
                return;
            }
            changes.text = Some(new_text);
        }
        if new_time != original_wall {
            let Some(at) =
                zones::parse_local_input(&new_time).and_then(|wall| zones::to_utc(&zone, wall))
            else {
                error.set(Some("Choose a date and a time.".to_string()));
                return;
            };
            changes.send_at = Some(at);
        }
        if changes.text.is_none() && changes.send_at.is_none() {
            on_done.run(());
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = store.edit_scheduled(id, changes).await;
            busy.try_set(false);
            match result {
                // The saved message may have redrawn its row (and this form) already.
                Ok(()) => {
                    on_done.try_run(());
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
        });
    };

    view! {
        <form class="scheduled-edit" data-testid="scheduled-edit-form" on:submit=save novalidate>
            <label class="visually-hidden" for="scheduled-edit-text">
                "Message"
            </label>
            <textarea id="scheduled-edit-text" rows="3" bind:value=text></textarea>
            <SegmentCounter text=text id="scheduled-edit-segments" />
            <label for="scheduled-edit-time">"Send at"</label>
            <input id="scheduled-edit-time" type="datetime-local" min=min bind:value=time />
            <p class="hint">{label}</p>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" data-testid="scheduled-edit-error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
            <div class="actions">
                <button
                    type="button"
                    class="secondary small"
                    data-testid="scheduled-edit-discard"
                    on:click=move |_| on_done.run(())
                >
                    "Discard"
                </button>
                <button
                    type="submit"
                    class="primary small"
                    data-testid="scheduled-save"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </form>
    }
}
