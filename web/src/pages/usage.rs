//! Usage: messages, segments and AI tokens per day, as charts and totals.

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::Usage;

use crate::api::Api;
use crate::components::chart::{BarChart, Series};
use crate::components::form::ErrorLine;

#[component]
pub fn UsagePage() -> impl IntoView {
    crate::util::set_title("Usage");
    let api = Api::new();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let usage = RwSignal::new(None::<Usage>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);

    let load = move || {
        loading.set(true);
        error.set(None);
        let (from_day, to_day) = (from.get_untracked(), to.get_untracked());
        spawn_local(async move {
            match api.usage(&from_day, &to_day).await {
                Ok(answer) => {
                    if from.get_untracked().is_empty() {
                        from.try_set(answer.from.clone());
                    }
                    if to.get_untracked().is_empty() {
                        to.try_set(answer.to.clone());
                    }
                    usage.try_set(Some(answer));
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
            loading.try_set(false);
        });
    };
    load();

    view! {
        <main class="page">
            <div class="page-head">
                <h1 id="usage-title">"Usage"</h1>
            </div>
            <form
                class="inline-form card"
                aria-label="Date range"
                on:submit=move |event| {
                    event.prevent_default();
                    load();
                }
            >
                <div class="field">
                    <label for="usage-from">"From"</label>
                    <input id="usage-from" type="date" bind:value=from />
                </div>
                <div class="field">
                    <label for="usage-to">"To"</label>
                    <input id="usage-to" type="date" bind:value=to />
                </div>
                <button id="usage-apply" type="submit" class="secondary" disabled=move || loading.get()>
                    "Show"
                </button>
            </form>
            <ErrorLine id="usage-error" error=error />
            {move || match usage.get() {
                None if error.with(Option::is_none) => {
                    view! { <p class="placeholder">"Loading usage…"</p> }.into_any()
                }
                None => ().into_any(),
                Some(usage) => view! { <UsageView usage=usage /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn UsageView(usage: Usage) -> impl IntoView {
    let labels: Vec<String> = usage.days.iter().map(|d| d.date.clone()).collect();
    let messages: Vec<Vec<i64>> = usage
        .days
        .iter()
        .map(|d| vec![d.messages_in, d.messages_out])
        .collect();
    let segments: Vec<Vec<i64>> = usage
        .days
        .iter()
        .map(|d| vec![d.segments_in, d.segments_out])
        .collect();
    let tokens: Vec<Vec<i64>> = usage.days.iter().map(|d| vec![d.ai_tokens]).collect();
    let in_out = vec![
        Series {
            name: "In",
            class: "bar-in",
        },
        Series {
            name: "Out",
            class: "bar-out",
        },
    ];
    let t = &usage.totals;
    let totals: [(&str, &str, i64); 5] = [
        ("total-messages-in", "Messages in", t.messages_in),
        ("total-messages-out", "Messages out", t.messages_out),
        ("total-segments-in", "Segments in", t.segments_in),
        ("total-segments-out", "Segments out", t.segments_out),
        ("total-ai-tokens", "AI tokens", t.ai_tokens),
    ];
    view! {
        <section aria-label="Totals" class="totals" style="margin-top:1rem">
            {totals
                .into_iter()
                .map(|(id, label, value)| {
                    view! {
                        <div class="total">
                            <span class="value" id=id>{value}</span>
                            <span class="label">{label}</span>
                        </div>
                    }
                })
                .collect_view()}
        </section>
        <div class="cards">
            <BarChart
                id="usage-messages"
                title="Messages per day"
                labels=labels.clone()
                series=in_out.clone()
                values=messages
            />
            <BarChart
                id="usage-segments"
                title="SMS segments per day"
                labels=labels.clone()
                series=in_out
                values=segments
            />
            <BarChart
                id="usage-tokens"
                title="AI tokens per day"
                labels=labels
                series=vec![
                    Series {
                        name: "Tokens",
                        class: "bar-tokens",
                    },
                ]
                values=tokens
            />
        </div>
    }
}
