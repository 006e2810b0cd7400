//! Troubleshooting: the server's checks, the last day's failures, recent webhook deliveries
//! and AI generations. A server without one of these endpoints (404) gets a sentence instead
//! of an error.

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::{AiGeneration, Diagnostics, WebhookDelivery};

use crate::api::{Api, ApiError};
use crate::components::form::ErrorLine;
use crate::util::{humanize, local_time};

/// A part of the page: loading, not offered by this server, failed, or loaded.
#[derive(Clone)]
enum Part<T> {
    Loading,
    Missing,
    Failed(String),
    Ready(T),
}

impl<T> Part<T> {
    fn from(result: Result<T, ApiError>) -> Part<T> {
        match result {
            Ok(value) => Part::Ready(value),
            Err(error) if error.is_not_found() => Part::Missing,
            Err(error) => Part::Failed(error.message()),
        }
    }
}

/// Loading, missing and failed states of a part, or `None` when it is ready.
fn placeholder<T>(part: &Part<T>, missing: &'static str) -> Option<AnyView> {
    match part {
        Part::Loading => Some(view! { <p class="placeholder">"Loading…"</p> }.into_any()),
        Part::Missing => Some(view! { <p class="notice">{missing}</p> }.into_any()),
        Part::Failed(message) => {
            Some(view! { <ErrorLine error=Some(message.clone()) /> }.into_any())
        }
        Part::Ready(_) => None,
    }
}

#[component]
pub fn DiagnosticsPage() -> impl IntoView {
    crate::util::set_title("Diagnostics");
    let api = Api::new();
    let checks = RwSignal::new(Part::<Diagnostics>::Loading);
    let deliveries = RwSignal::new(Part::<Vec<WebhookDelivery>>::Loading);
    let generations = RwSignal::new(Part::<Vec<AiGeneration>>::Loading);
    let load = move || {
        checks.set(Part::Loading);
        deliveries.set(Part::Loading);
        generations.set(Part::Loading);
        spawn_local(async move {
            checks.try_set(Part::from(api.diagnostics().await));
        });
        spawn_local(async move {
            deliveries.try_set(Part::from(api.webhook_deliveries(50).await));
        });
        spawn_local(async move {
            generations.try_set(Part::from(api.ai_generations(50).await));
        });
    };
    load();

    view! {
        <main class="page">
            <div class="page-head">
                <h1 id="diagnostics-title">"Diagnostics"</h1>
                <button
                    id="diagnostics-refresh"
                    type="button"
                    class="secondary small"
                    on:click=move |_| load()
                >
                    "Refresh"
                </button>
            </div>
            <section id="checks" aria-labelledby="checks-title">
                <h2 id="checks-title">"Checks"</h2>
                {move || {
                    checks
                        .with(|part| {
                            placeholder(
                                part,
                                "This server does not offer diagnostic checks yet. The webhook log below still shows what Telnyx delivered.",
                            )
                                .unwrap_or_else(|| {
                                    let Part::Ready(diagnostics) = part else { unreachable!() };
                                    view! { <Checks diagnostics=diagnostics.clone() /> }.into_any()
                                })
                        })
                }}
            </section>
            <section id="webhook-deliveries" aria-labelledby="deliveries-title">
                <h2 id="deliveries-title">"Recent webhook deliveries"</h2>
                {move || {
                    deliveries
                        .with(|part| {
                            placeholder(part, "This server does not list webhook deliveries.")
                                .unwrap_or_else(|| {
                                    let Part::Ready(items) = part else { unreachable!() };
                                    if items.is_empty() {
                                        view! {
                                            <p class="placeholder" id="deliveries-empty">
                                                "No webhook has arrived yet. Inbound messages and delivery receipts show up here."
                                            </p>
                                        }
                                            .into_any()
                                    } else {
                                        view! { <DeliveryTable items=items.clone() /> }.into_any()
                                    }
                                })
                        })
                }}
            </section>
            <section id="ai-generations" aria-labelledby="generations-title">
                <h2 id="generations-title">"Recent AI generations"</h2>
                {move || {
                    generations
                        .with(|part| {
                            placeholder(part, "This server does not list AI generations yet.")
                                .unwrap_or_else(|| {
                                    let Part::Ready(items) = part else { unreachable!() };
                                    if items.is_empty() {
                                        view! {
                                            <p class="placeholder" id="generations-empty">
                                                "No AI reply has been generated yet."
                                            </p>
                                        }
                                            .into_any()
                                    } else {
                                        view! { <GenerationTable items=items.clone() /> }.into_any()
                                    }
                                })
                        })
                }}
            </section>
        </main>
    }
}

#[component]
fn Checks(diagnostics: Diagnostics) -> impl IntoView {
    let failures = diagnostics.recent_webhook_failures;
    let errors = diagnostics.recent_ai_errors;
    view! {
        {if diagnostics.checks.is_empty() {
            view! { <p class="placeholder">"No checks reported."</p> }.into_any()
        } else {
            view! {
                <ul class="check-list card">
                    {diagnostics
                        .checks
                        .into_iter()
                        .map(|check| {
                            let class = match check.status.as_str() {
                                "ok" => "check-status ok",
                                "warning" => "check-status warning",
                                _ => "check-status error",
                            };
                            view! {
                                <li class="check" data-testid="check" data-status=check.status.as_str()>
                                    <span class=class>{check.status.as_str()}</span>
                                    <div>
                                        <strong>{humanize(&check.name)}</strong>
                                        <p>{check.detail}</p>
                                    </div>
                                    {check.action.map(|action| view! { <p class="action hint">{action}</p> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        {(!failures.is_empty())
            .then(|| {
                view! {
                    <h3>"Webhook failures in the last day"</h3>
                    <DeliveryTable items=failures />
                }
            })}
        {(!errors.is_empty())
            .then(|| {
                view! {
                    <h3>"AI errors in the last day"</h3>
                    <GenerationTable items=errors />
                }
            })}
    }
}

#[component]
fn DeliveryTable(items: Vec<WebhookDelivery>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Received"</th>
                        <th scope="col">"Event"</th>
                        <th scope="col">"Signature"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Error"</th>
                    </tr>
                </thead>
                <tbody>
                    {items
                        .into_iter()
                        .map(|delivery| {
                            view! {
                                <tr data-testid="delivery">
                                    <td>{local_time(delivery.received_at)}</td>
                                    <td>{delivery.event_type.unwrap_or_default()}</td>
                                    <td>{if delivery.signature_ok { "valid" } else { "invalid" }}</td>
                                    <td>{humanize(delivery.outcome.as_str())}</td>
                                    <td>{delivery.error.unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn GenerationTable(items: Vec<AiGeneration>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Purpose"</th>
                        <th scope="col">"Model"</th>
                        <th scope="col" class="num">"Tokens"</th>
                        <th scope="col" class="num">"Latency"</th>
                        <th scope="col">"Outcome"</th>
                    </tr>
                </thead>
                <tbody>
                    {items
                        .into_iter()
                        .map(|generation| {
                            let tokens = match (generation.prompt_tokens, generation.completion_tokens) {
                                (None, None) => String::new(),
                                (p, c) => (p.unwrap_or(0) + c.unwrap_or(0)).to_string(),
                            };
                            let model = if generation.provider == "offline_demo" {
                                format!("{} (offline demo)", generation.model)
                            } else {
                                generation.model.clone()
                            };
                            let outcome = match generation.error {
                                Some(error) => format!("{}: {error}", humanize(generation.outcome.as_str())),
                                None => humanize(generation.outcome.as_str()),
                            };
                            view! {
                                <tr data-testid="generation" data-outcome=generation.outcome.as_str()>
                                    <td>{local_time(generation.created_at)}</td>
                                    <td>{humanize(generation.purpose.as_str())}</td>
                                    <td>{model}</td>
                                    <td class="num">{tokens}</td>
                                    <td class="num">{format!("{} ms", generation.latency_ms)}</td>
                                    <td>{outcome}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
