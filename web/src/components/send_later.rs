//! The composer's Send later: a button beside Send opening a small menu of presets (in an
//! hour, tomorrow at 9:00, Monday at 9:00) and a date and time picker. Times are wall times
//! in the tenant's zone, which the menu names, turned into UTC with the browser's `Intl`.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::components::disclosure::Disclosure;
use crate::components::settings::TenantSettings;
use crate::util::now;
use crate::zones;

#[component]
pub fn SendLater(
    /// Nothing to send yet (or sending is impossible): the button is disabled.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Called with the chosen time; the composer sends with it.
    on_pick: Callback<DateTime<Utc>>,
) -> impl IntoView {
    let settings = TenantSettings::get();
    let menu = Disclosure::new();
    let (open, wrapper, button) = (menu.open, menu.wrapper, menu.button);
    let custom = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let zone = Memo::new(move |_| settings.time_zone());
    // The menu's wall clock: read when it opens, so that "In 1 hour" means from now.
    let opened_at = RwSignal::new(now());
    let wall_now = move || {
        let at = opened_at.get();
        zones::wall_time(&zone.get(), at).unwrap_or(at.naive_utc())
    };

    let close = move |refocus: bool| menu.close(refocus);
    let pick = move |at: DateTime<Utc>| {
        close(true);
        on_pick.run(at);
    };
    let schedule_custom = move || {
        let zone = zone.get_untracked();
        let value = custom.get_untracked();
        let Some(at) = zones::parse_local_input(&value).and_then(|wall| zones::to_utc(&zone, wall))
        else {
            error.set(Some("Choose a date and a time.".to_string()));
            return;
        };
        if at <= now() {
            error.set(Some("Choose a time in the future.".to_string()));
            return;
        }
        pick(at);
    };

    view! {
        <div class="send-later" node_ref=wrapper on:keydown=move |event| menu.on_keydown(event)>
            <button
                id="send-later"
                type="button"
                class="secondary send-later-button"
                node_ref=button
                title="Send later"
                aria-label="Send later"
                aria-expanded=move || open.get().to_string()
                aria-controls="send-later-menu"
                disabled=move || disabled.get()
                on:click=move |_| {
                    if !open.get_untracked() {
                        opened_at.set(now());
                        error.set(None);
                        custom.set(String::new());
                    }
                    open.update(|o| *o = !*o);
                }
            >
                "Later"
                <span aria-hidden="true">" ▾"</span>
            </button>
            <Show when=move || open.get()>
                <div id="send-later-menu" class="menu-popover send-later-menu" role="group" aria-label="Send later">
                    <p class="menu-note" id="send-later-zone">
                        {move || format!("Send later · {}", zones::zone_label(&zone.get()))}
                    </p>
                    {move || {
                        zones::presets(wall_now())
                            .into_iter()
                            .map(|preset| {
                                let wall = preset.wall;
                                view! {
                                    <button
                                        id=preset.id
                                        type="button"
                                        class="menu-item"
                                        on:click=move |_| {
                                            if let Some(at) = zones::to_utc(&zone.get_untracked(), wall) {
                                                pick(at);
                                            }
                                        }
                                    >
                                        <span>{preset.label}</span>
                                        <span class="menu-item-detail">{zones::words(wall)}</span>
                                    </button>
                                }
                            })
                            .collect_view()
                    }}
                    <div class="send-later-custom">
                        <label for="send-later-at">"Pick a date and time"</label>
                        <div class="send-later-pick">
                            <input
                                id="send-later-at"
                                type="datetime-local"
                                min=move || zones::local_input_value(wall_now())
                                bind:value=custom
                                on:input=move |_| error.set(None)
                                on:keydown=move |event: leptos::ev::KeyboardEvent| {
                                    // Enter schedules here; it must not reach the composer.
                                    if event.key() == "Enter" {
                                        event.prevent_default();
                                        schedule_custom();
                                    }
                                }
                            />
                            <button
                                id="send-later-schedule"
                                type="button"
                                class="primary small"
                                on:click=move |_| schedule_custom()
                            >
                                "Schedule"
                            </button>
                        </div>
                        {move || {
                            error
                                .get()
                                .map(|message| {
                                    view! {
                                        <p id="send-later-error" class="field-error" role="alert">
                                            {message}
                                        </p>
                                    }
                                })
                        }}
                    </div>
                </div>
            </Show>
        </div>
    }
}
