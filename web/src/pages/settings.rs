//! Settings: the tenant's time zone, weekly business hours, the away message and whether the
//! AI answers after hours, quiet hours, the HELP text and who answers keywords, and
//! auto-assignment. Admins edit them (one Save; the server's refusal under the field it
//! names); agents read them. A change from another admin (the feed) shows at once unless the
//! form is being edited.

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::{BusinessHours, KeywordReplies, QuietHours, Settings, UpdateSettings};
use wasm_bindgen::JsCast;

use crate::api::Api;
use crate::components::composer::SegmentCounter;
use crate::components::form::{ErrorLine, FieldError, RetryError, SubmitButton};
use crate::components::settings::TenantSettings;
use crate::components::shell::Account;
use crate::zones;

/// The days as the API names them, and as people do.
const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// Quiet hours when they are first turned on: the evening and the night.
const DEFAULT_QUIET: (&str, &str) = ("21:00", "08:00");

/// A new interval of a closed day.
const DEFAULT_HOURS: [&str; 2] = ["09:00", "17:00"];

/// The form's copy of the settings and what it changes.
#[derive(Clone, Copy)]
struct Form {
    /// What the form shows (`None` until the settings load).
    draft: RwSignal<Option<Settings>>,
    /// The saved notice, gone at the next change.
    status: RwSignal<Option<String>>,
    editable: Signal<bool>,
}

impl Form {
    /// Reads the draft (tracked); `T::default()` until it loads.
    fn read<T: Default>(&self, read: impl FnOnce(&Settings) -> T) -> T {
        self.draft
            .with(|draft| draft.as_ref().map(read))
            .unwrap_or_default()
    }

    fn change(&self, change: impl FnOnce(&mut Settings)) {
        self.draft.update(|draft| {
            if let Some(draft) = draft {
                change(draft);
            }
        });
        self.status.set(None);
    }
}

/// The changes from `base` to `draft`, as the PATCH sends them (only what differs, so that a
/// colleague's change to another field is not undone). Blank texts are no text.
fn changes(base: &Settings, draft: &Settings) -> UpdateSettings {
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let differs = |a: &Option<String>, b: &Option<String>| text(a) != text(b);
    let trimmed_hours = BusinessHours {
        mon: trim_day(&draft.business_hours.mon),
        tue: trim_day(&draft.business_hours.tue),
        wed: trim_day(&draft.business_hours.wed),
        thu: trim_day(&draft.business_hours.thu),
        fri: trim_day(&draft.business_hours.fri),
        sat: trim_day(&draft.business_hours.sat),
        sun: trim_day(&draft.business_hours.sun),
    };
    let quiet = draft.quiet_hours.as_ref().map(|q| QuietHours {
        start: q.start.trim().to_string(),
        end: q.end.trim().to_string(),
    });
    UpdateSettings {
        time_zone: (draft.time_zone != base.time_zone).then(|| draft.time_zone.clone()),
        business_hours: (trimmed_hours != base.business_hours).then_some(trimmed_hours),
        away_message: differs(&draft.away_message, &base.away_message)
            .then(|| text(&draft.away_message)),
        ai_answers_after_hours: (draft.ai_answers_after_hours != base.ai_answers_after_hours)
            .then_some(draft.ai_answers_after_hours),
        quiet_hours: (quiet != base.quiet_hours).then_some(quiet),
        help_message: differs(&draft.help_message, &base.help_message)
            .then(|| text(&draft.help_message)),
        keyword_replies: (draft.keyword_replies != base.keyword_replies)
            .then_some(draft.keyword_replies),
        auto_assign_on_reply: (draft.auto_assign_on_reply != base.auto_assign_on_reply)
            .then_some(draft.auto_assign_on_reply),
    }
}

fn trim_day(day: &[[String; 2]]) -> Vec<[String; 2]> {
    day.iter()
        .map(|[from, to]| [from.trim().to_string(), to.trim().to_string()])
        .collect()
}

fn is_empty(update: &UpdateSettings) -> bool {
    serde_json::to_value(update).is_ok_and(|value| value.as_object().is_some_and(|o| o.is_empty()))
}

/// Whether the server's `field` belongs under `key`: the field itself, or a part of it
/// (`business_hours.mon` is under `business_hours.mon`; `quiet_hours.start` under
/// `quiet_hours`).
fn blames(field: &str, key: &str) -> bool {
    field == key
        || field
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// The server's refusal (the field it names, and its message).
type Refusal = RwSignal<Option<(String, String)>>;

/// The server's message for the fields under `key`.
fn error_at(refused: Refusal, key: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        refused.with(|refused| {
            refused
                .as_ref()
                .filter(|(field, _)| blames(field, key))
                .map(|(_, message)| message.clone())
        })
    })
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    crate::util::set_title("Settings");
    let api = Api::new();
    let store = TenantSettings::get();
    let account = expect_context::<Account>();
    let editable = Signal::derive(move || account.is_admin());
    let form = Form {
        draft: RwSignal::new(None),
        status: RwSignal::new(None),
        editable,
    };
    // The version the draft started from: while they are equal nobody is editing.
    let base = RwSignal::new(None::<Settings>);
    // A colleague saved while this form was being edited.
    let newer = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let refused: Refusal = RwSignal::new(None);
    let editing = move || {
        form.draft
            .with_untracked(|draft| base.with_untracked(|base| draft.is_some() && draft != base))
    };

    Effect::new(move |_| {
        let Some(fresh) = store.settings.get() else {
            return;
        };
        if base.with_untracked(|base| base.as_ref() == Some(&fresh)) {
            return;
        }
        if editing() {
            newer.set(true);
        } else {
            form.draft.set(Some(fresh.clone()));
            base.set(Some(fresh));
        }
    });
    let show_theirs = move || {
        let fresh = store.settings.get_untracked();
        form.draft.set(fresh.clone());
        base.set(fresh);
        newer.set(false);
        refused.set(None);
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() || !editable.get_untracked() {
            return;
        }
        let (Some(from), Some(draft)) = (base.get_untracked(), form.draft.get_untracked()) else {
            return;
        };
        let update = changes(&from, &draft);
        error.set(None);
        refused.set(None);
        form.status.set(None);
        if is_empty(&update) {
            form.status
                .set(Some("Nothing to save: no changes.".to_string()));
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let answer = api.update_settings(&update).await;
            pending.try_set(false);
            match answer {
                Ok(saved) => {
                    // Draft and base first: the store's change must not count as a colleague's.
                    form.draft.try_set(Some(saved.clone()));
                    base.try_set(Some(saved.clone()));
                    newer.try_set(false);
                    store.saved(saved);
                    form.status.try_set(Some("Settings saved.".to_string()));
                }
                Err(failure) => match failure.field() {
                    Some(field) => {
                        refused.try_set(Some((field.to_string(), failure.message())));
                        focus_refused();
                    }
                    None => {
                        error.try_set(Some(failure.message()));
                    }
                },
            }
        });
    };

    view! {
        <main class="page settings-page">
            <div class="page-head">
                <h1 id="settings-title">"Settings"</h1>
            </div>
            <Show when=move || !editable.get()>
                <p id="settings-read-only" class="notice">
                    "Only admins can change these settings."
                </p>
            </Show>
            <RetryError
                id="settings-load-error"
                error=store.error
                on_retry=Callback::new(move |_| store.reload())
            />
            <Show when=move || newer.get()>
                <p id="settings-newer" class="notice warning" role="status">
                    <span>"Another admin changed these settings meanwhile. Saving keeps your changes to the fields you edited."</span>
                    <button type="button" class="link-button" on:click=move |_| show_theirs()>
                        "Show theirs"
                    </button>
                </p>
            </Show>
            {move || {
                form.draft
                    .with(Option::is_none)
                    .then(|| view! { <p class="placeholder">"Loading settings…"</p> })
            }}
            <Show when=move || form.draft.with(Option::is_some)>
                <form id="settings-form" class="settings-form" on:submit=submit novalidate>
                    <fieldset class="settings-fieldset" prop:disabled=move || !editable.get()>
                        <legend class="visually-hidden">"Settings"</legend>
                        <TimeZoneSection form=form error=error_at(refused, "time_zone") />
                        <HoursSection form=form refused=refused />
                        <AfterHoursSection form=form error=error_at(refused, "away_message") />
                        <QuietHoursSection form=form error=error_at(refused, "quiet_hours") />
                        <KeywordsSection form=form error=error_at(refused, "help_message") />
                        <section class="card settings-section" aria-labelledby="settings-assign-title">
                            <h2 id="settings-assign-title">"Assignment"</h2>
                            <Toggle
                                id="settings-auto-assign"
                                label="Assign an unassigned conversation to the agent who replies"
                                checked=Signal::derive(move || form.read(|s| s.auto_assign_on_reply))
                                on_change=Callback::new(move |on| {
                                    form.change(|s| s.auto_assign_on_reply = on)
                                })
                            />
                        </section>
                    </fieldset>
                    <Show when=move || editable.get()>
                        <div class="settings-save">
                            {move || {
                                // A refusal naming a field this page has no place for.
                                refused
                                    .get()
                                    .filter(|(field, _)| {
                                        ![
                                            "time_zone",
                                            "business_hours",
                                            "away_message",
                                            "quiet_hours",
                                            "help_message",
                                        ]
                                            .iter()
                                            .any(|key| blames(field, key))
                                    })
                                    .map(|(_, message)| {
                                        view! {
                                            <p id="settings-error-other" class="error" role="alert">
                                                {message}
                                            </p>
                                        }
                                    })
                            }}
                            <ErrorLine id="settings-error" error=error />
                            {move || {
                                form.status
                                    .get()
                                    .map(|message| {
                                        view! {
                                            <p id="settings-status" class="notice" role="status">
                                                {message}
                                            </p>
                                        }
                                    })
                            }}
                            <SubmitButton
                                id="settings-save"
                                label="Save settings"
                                pending_label="Saving…"
                                pending=pending
                            />
                        </div>
                    </Show>
                </form>
            </Show>
        </main>
    }
}

/// Takes the person to the field the server refused (it may be far up the page), once the
/// error has been drawn.
fn focus_refused() {
    leptos::leptos_dom::helpers::request_animation_frame(|| {
        let field = document()
            .query_selector("#settings-form [aria-invalid=true], #settings-form .field-error")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(field) = field {
            field.scroll_into_view_with_bool(false);
            let _ = field.focus();
        }
    });
}

#[component]
fn TimeZoneSection(form: Form, error: Signal<Option<String>>) -> impl IntoView {
    let names = StoredValue::new(zones::names());
    let zone = Memo::new(move |_| form.read(|s| s.time_zone.clone()));
    // A zone this browser does not list still shows as chosen.
    let options = move || {
        let current = zone.get();
        let mut list = names.get_value();
        if !current.is_empty() && !list.contains(&current) {
            list.insert(0, current);
        }
        list
    };
    view! {
        <section class="card settings-section" aria-labelledby="settings-zone-title">
            <h2 id="settings-zone-title">"Time zone"</h2>
            <div class="field">
                <label for="settings-time-zone">"The business's time zone"</label>
                <select
                    id="settings-time-zone"
                    aria-describedby="settings-time-zone-hint"
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        form.change(|s| s.time_zone = value);
                    }
                >
                    {move || {
                        let current = zone.get();
                        options()
                            .into_iter()
                            .map(|name| {
                                let selected = name == current;
                                view! {
                                    <option value=name.clone() selected=selected>
                                        {name.replace('_', " ")}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <p id="settings-time-zone-hint" class="hint">
                    {move || {
                        let zone = zone.get();
                        let now = zones::wall_time(&zone, crate::util::now())
                            .map(|wall| format!(" It is {} there now.", wall.format("%-I:%M %p")))
                            .unwrap_or_default();
                        format!(
                            "{}. Business hours, quiet hours for unknown numbers and Send later use it.{now}",
                            zones::zone_label(&zone),
                        )
                    }}
                </p>
                <FieldError id="settings-time-zone-error" error=error />
            </div>
        </section>
    }
}

#[component]
fn HoursSection(form: Form, refused: Refusal) -> impl IntoView {
    let copy_monday = move |_| {
        form.change(|s| {
            let monday = s.business_hours.mon.clone();
            for day in 1..5 {
                if let Some(hours) = s.business_hours.day_mut(day) {
                    *hours = monday.clone();
                }
            }
        })
    };
    // The server's message about the week as a whole (not one day).
    let whole = Signal::derive(move || {
        let message = error_at(refused, "business_hours").get()?;
        let day_error = DAYS
            .iter()
            .any(|(day, _)| error_at(refused, day_key(day)).with(Option::is_some));
        (!day_error).then_some(message)
    });
    view! {
        <section class="card settings-section" aria-labelledby="settings-hours-title">
            <div class="card-head">
                <h2 id="settings-hours-title">"Business hours"</h2>
                <Show when=move || form.editable.get()>
                    <button
                        id="hours-copy-monday"
                        type="button"
                        class="secondary small"
                        on:click=copy_monday
                    >
                        "Copy Monday to weekdays"
                    </button>
                </Show>
            </div>
            <p class="hint">
                "In the business's time zone, 24-hour HH:MM; 24:00 ends at midnight. A customer who writes outside them gets the away message."
            </p>
            <ul class="hours-week">
                {DAYS
                    .iter()
                    .enumerate()
                    .map(|(index, (day, name))| {
                        view! {
                            <HoursDay
                                form=form
                                index=index
                                day=day
                                name=name
                                error=error_at(refused, day_key(day))
                            />
                        }
                    })
                    .collect_view()}
            </ul>
            <FieldError id="settings-hours-error" error=whole />
        </section>
    }
}

/// `business_hours.mon` for `mon`.
fn day_key(key: &str) -> &'static str {
    match key {
        "mon" => "business_hours.mon",
        "tue" => "business_hours.tue",
        "wed" => "business_hours.wed",
        "thu" => "business_hours.thu",
        "fri" => "business_hours.fri",
        "sat" => "business_hours.sat",
        _ => "business_hours.sun",
    }
}

/// The intervals of one day (`index` from Monday).
fn day_of(settings: &Settings, index: usize) -> &Vec<[String; 2]> {
    settings.business_hours.days()[index].1
}

#[component]
fn HoursDay(
    form: Form,
    index: usize,
    day: &'static str,
    name: &'static str,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let count = Memo::new(move |_| form.read(|s| day_of(s, index).len()));
    let add = move |_| {
        form.change(|s| {
            if let Some(day) = s.business_hours.day_mut(index) {
                // After the last interval, or the usual day.
                let start = day.last().map(|[_, end]| end.clone());
                let interval = match start {
                    Some(start) => [start, "24:00".to_string()],
                    None => DEFAULT_HOURS.map(str::to_string),
                };
                day.push(interval);
            }
        })
    };
    let key = day;
    let error_id = format!("hours-{key}-error");
    view! {
        <li class="hours-day" data-day=key>
            <span class="hours-day-name" id=format!("hours-{key}-name")>
                {name}
            </span>
            <div class="hours-intervals">
                <Show when=move || count.get() == 0>
                    <span class="hours-closed" id=format!("hours-{key}-closed")>
                        "Closed"
                    </span>
                </Show>
                // Drawn again only when the number of intervals changes: typing in one keeps
                // its focus. (A closure rather than <For>: one keyed list type less in the wasm.)
                {move || {
                    (0..count.get())
                        .map(|position| {
                            view! {
                                <HoursInterval
                                    form=form
                                    index=index
                                    day=key
                                    position=position
                                    error=error
                                />
                            }
                        })
                        .collect_view()
                }}
                <Show when=move || form.editable.get()>
                    <button
                        id=format!("hours-{key}-add")
                        type="button"
                        class="link-button"
                        on:click=add
                    >
                        {move || if count.get() == 0 { "Add hours" } else { "Add interval" }}
                    </button>
                </Show>
            </div>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p id=error_id.clone() class="field-error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </li>
    }
}

#[component]
fn HoursInterval(
    form: Form,
    index: usize,
    day: &'static str,
    /// Which interval of the day.
    position: usize,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let key = day;
    let slot = position;
    let value = move |end: usize| {
        form.read(|s| {
            day_of(s, index)
                .get(slot)
                .map(|interval| interval[end].clone())
                .unwrap_or_default()
        })
    };
    let set = move |end: usize, text: String| {
        form.change(|s| {
            if let Some(interval) = s
                .business_hours
                .day_mut(index)
                .and_then(|day| day.get_mut(slot))
            {
                interval[end] = text;
            }
        })
    };
    let remove = move |_| {
        form.change(|s| {
            if let Some(day) = s.business_hours.day_mut(index) {
                if slot < day.len() {
                    day.remove(slot);
                }
            }
        })
    };
    view! {
        <div class="hours-interval">
            <TimeField
                id=format!("hours-{key}-{slot}-start")
                label=format!("{key} interval {} from", slot + 1)
                placeholder="09:00"
                value=Signal::derive(move || value(0))
                on_input=Callback::new(move |text| set(0, text))
                error=error
            />
            <span aria-hidden="true">"–"</span>
            <TimeField
                id=format!("hours-{key}-{slot}-end")
                label=format!("{key} interval {} to", slot + 1)
                placeholder="17:00"
                value=Signal::derive(move || value(1))
                on_input=Callback::new(move |text| set(1, text))
                error=error
            />
            <Show when=move || form.editable.get()>
                <button
                    id=format!("hours-{key}-{slot}-remove")
                    type="button"
                    class="icon-button"
                    aria-label=format!("Remove this interval of {key}")
                    on:click=remove
                >
                    "×"
                </button>
            </Show>
        </div>
    }
}

#[component]
fn AfterHoursSection(form: Form, error: Signal<Option<String>>) -> impl IntoView {
    let away = Signal::derive(move || form.read(|s| s.away_message.clone().unwrap_or_default()));
    view! {
        <section class="card settings-section" aria-labelledby="settings-after-title">
            <h2 id="settings-after-title">"After hours"</h2>
            <Toggle
                id="settings-ai-after-hours"
                label="The AI keeps answering after hours (no away message then)"
                checked=Signal::derive(move || form.read(|s| s.ai_answers_after_hours))
                on_change=Callback::new(move |on| form.change(|s| s.ai_answers_after_hours = on))
            />
            <div class="field">
                <label for="settings-away">
                    "Away message " <span class="optional">"(optional)"</span>
                </label>
                <textarea
                    id="settings-away"
                    rows="3"
                    maxlength="1530"
                    placeholder="Thanks for your message! We're closed now and will reply when we open."
                    aria-describedby="settings-away-hint settings-away-segments"
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    prop:value=move || away.get()
                    on:input=move |event| {
                        let text = event_target_value(&event);
                        form.change(|s| s.away_message = Some(text));
                    }
                ></textarea>
                <p id="settings-away-hint" class="hint">
                    "Sent once per conversation per closed period to a customer who writes outside business hours. Empty sends none."
                </p>
                <SegmentCounter text=away id="settings-away-segments" />
                <FieldError id="settings-away-error" error=error />
            </div>
        </section>
    }
}

#[component]
fn QuietHoursSection(form: Form, error: Signal<Option<String>>) -> impl IntoView {
    // What the hours were before they were turned off, to bring back.
    let last = StoredValue::new(None::<QuietHours>);
    let on = Memo::new(move |_| form.read(|s| s.quiet_hours.is_some()));
    let value = move |end: bool| {
        form.read(|s| {
            s.quiet_hours
                .as_ref()
                .map(|q| if end { q.end.clone() } else { q.start.clone() })
                .unwrap_or_default()
        })
    };
    let set = move |end: bool, text: String| {
        form.change(|s| {
            if let Some(quiet) = s.quiet_hours.as_mut() {
                if end {
                    quiet.end = text;
                } else {
                    quiet.start = text;
                }
            }
        })
    };
    view! {
        <section class="card settings-section" aria-labelledby="settings-quiet-title">
            <h2 id="settings-quiet-title">"Quiet hours"</h2>
            <Toggle
                id="settings-quiet-on"
                label="Hold messages during the customer's quiet hours"
                checked=Signal::from(on)
                on_change=Callback::new(move |checked| {
                    form.change(|s| {
                        if checked {
                            s.quiet_hours = Some(last.get_value().unwrap_or(QuietHours {
                                start: DEFAULT_QUIET.0.to_string(),
                                end: DEFAULT_QUIET.1.to_string(),
                            }));
                        } else {
                            last.set_value(s.quiet_hours.take());
                        }
                    })
                })
            />
            <p class="hint">
                "In the customer's local time (from their number; else the business's zone). A message that starts a conversation or was scheduled waits until they end; replies within 24 hours of the customer's last message are not held."
            </p>
            <Show when=move || on.get()>
                <div class="hours-interval quiet-interval">
                    <span aria-hidden="true">"From"</span>
                    <TimeField
                        id="settings-quiet-start".to_string()
                        label="Quiet hours from".to_string()
                        placeholder="21:00"
                        value=Signal::derive(move || value(false))
                        on_input=Callback::new(move |text| set(false, text))
                        error=error
                    />
                    <span aria-hidden="true">"to"</span>
                    <TimeField
                        id="settings-quiet-end".to_string()
                        label="Quiet hours to".to_string()
                        placeholder="08:00"
                        value=Signal::derive(move || value(true))
                        on_input=Callback::new(move |text| set(true, text))
                        error=error
                    />
                </div>
            </Show>
            <FieldError id="settings-quiet-error" error=error />
        </section>
    }
}

#[component]
fn KeywordsSection(form: Form, error: Signal<Option<String>>) -> impl IntoView {
    let help = Signal::derive(move || form.read(|s| s.help_message.clone().unwrap_or_default()));
    let replies = move || {
        form.draft.with(|draft| {
            draft
                .as_ref()
                .map_or(KeywordReplies::Parley, |s| s.keyword_replies)
        })
    };
    let choice = move |value: KeywordReplies, id: &'static str, label: &'static str| {
        view! {
            <label class="checkbox">
                <input
                    id=id
                    type="radio"
                    name="keyword-replies"
                    value=value.as_str()
                    prop:checked=move || replies() == value
                    on:change=move |_| form.change(|s| s.keyword_replies = value)
                />
                {label}
            </label>
        }
    };
    view! {
        <section class="card settings-section" aria-labelledby="settings-keywords-title">
            <h2 id="settings-keywords-title">"STOP, START and HELP"</h2>
            <fieldset class="plain-fieldset">
                <legend>"Who answers the keywords"</legend>
                {choice(
                    KeywordReplies::Parley,
                    "settings-keywords-parley",
                    "Parley (one confirmation, and the HELP text below)",
                )}
                {choice(
                    KeywordReplies::Carrier,
                    "settings-keywords-carrier",
                    "The carrier (its own auto-replies; Parley sends none)",
                )}
            </fieldset>
            <div class="field">
                <label for="settings-help">
                    "HELP text " <span class="optional">"(optional)"</span>
                </label>
                <textarea
                    id="settings-help"
                    rows="2"
                    maxlength="1530"
                    placeholder="Empty: a sentence naming the business"
                    aria-describedby="settings-help-segments"
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    prop:value=move || help.get()
                    on:input=move |event| {
                        let text = event_target_value(&event);
                        form.change(|s| s.help_message = Some(text));
                    }
                ></textarea>
                <SegmentCounter text=help id="settings-help-segments" />
                <FieldError id="settings-help-error" error=error />
            </div>
        </section>
    }
}

/// An `HH:MM` field (text, not `type=time`, which cannot say "24:00").
#[component]
fn TimeField(
    id: String,
    /// Its name for assistive technology (the visible words around it are hidden from it).
    label: String,
    placeholder: &'static str,
    value: Signal<String>,
    on_input: Callback<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <input
            id=id
            class="time-input"
            type="text"
            inputmode="numeric"
            autocomplete="off"
            maxlength="5"
            placeholder=placeholder
            aria-label=label
            aria-invalid=move || error.with(Option::is_some).to_string()
            prop:value=move || value.get()
            on:input=move |event| on_input.run(event_target_value(&event))
        />
    }
}

/// A setting that is on or off.
#[component]
fn Toggle(
    id: &'static str,
    label: &'static str,
    checked: Signal<bool>,
    on_change: Callback<bool>,
) -> impl IntoView {
    view! {
        <label class="checkbox">
            <input
                id=id
                type="checkbox"
                role="switch"
                prop:checked=move || checked.get()
                on:change=move |event| on_change.run(event_target_checked(&event))
            />
            {label}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        serde_json::from_value(serde_json::json!({
            "time_zone": "America/New_York",
            "business_hours": {"mon": [["09:00", "17:00"]]},
            "away_message": null, "ai_answers_after_hours": false, "quiet_hours": null,
            "help_message": null, "keyword_replies": "parley", "auto_assign_on_reply": true,
        }))
        .expect("settings")
    }

    #[test]
    fn only_what_changed_is_sent() {
        let base = settings();
        let mut draft = base.clone();
        assert!(is_empty(&changes(&base, &draft)));
        // Blank text is no text: nothing changed.
        draft.away_message = Some("  ".into());
        assert!(is_empty(&changes(&base, &draft)));
        draft.away_message = Some(" We're closed. ".into());
        draft.business_hours.tue = vec![[" 10:00".into(), "16:00 ".into()]];
        draft.quiet_hours = Some(QuietHours {
            start: "21:00".into(),
            end: "08:00".into(),
        });
        let update = serde_json::to_value(changes(&base, &draft)).expect("json");
        assert_eq!(
            update,
            serde_json::json!({
                "business_hours": {
                    "mon": [["09:00", "17:00"]], "tue": [["10:00", "16:00"]],
                    "wed": [], "thu": [], "fri": [], "sat": [], "sun": [],
                },
                "away_message": "We're closed.",
                "quiet_hours": {"start": "21:00", "end": "08:00"},
            })
        );
        // Cleared texts and hours are sent as null.
        draft.business_hours.tue = vec![["10:00".into(), "16:00".into()]];
        let mut cleared = draft.clone();
        cleared.away_message = Some(String::new());
        cleared.quiet_hours = None;
        let update = serde_json::to_value(changes(&draft, &cleared)).expect("json");
        assert_eq!(
            update,
            serde_json::json!({"away_message": null, "quiet_hours": null})
        );
    }

    #[test]
    fn errors_land_under_their_field() {
        assert!(blames("business_hours.mon", "business_hours.mon"));
        assert!(blames("business_hours.mon", "business_hours"));
        assert!(blames("quiet_hours.start", "quiet_hours"));
        assert!(!blames("business_hours.mon", "business_hours.tue"));
        assert!(!blames("time_zone_x", "time_zone"));
    }
}
