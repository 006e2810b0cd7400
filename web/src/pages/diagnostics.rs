//! Troubleshooting: the server's checks, recent webhook deliveries and AI generation errors.
//!
//! The checks and the AI generations are read generically (`checks: [{name, status, detail,
//! action}]`; a list of generations or a page of them), and a server without those endpoints
//! (404) gets a sentence instead of an error.

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::WebhookDelivery;
use serde_json::Value;

use crate::api::{Api, ApiError};
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

fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A list out of an answer that is a list, or an object holding one under `key` or `data`.
fn list(value: &Value, key: &str) -> Vec<Value> {
    value
        .as_array()
        .or_else(|| value.get(key).and_then(Value::as_array))
        .or_else(|| value.get("data").and_then(Value::as_array))
        .cloned()
        .unwrap_or_default()
}

fn when(value: &Value, keys: &[&str]) -> String {
    keys.iter()
        .find_map(|key| value.get(*key).and_then(Value::as_str))
        .map(|raw| {
            chrono::DateTime::parse_from_rfc3339(raw)
                .map(|at| local_time(at.with_timezone(&chrono::Utc)))
                .unwrap_or_else(|_| raw.to_string())
        })
        .unwrap_or_default()
}

#[component]
pub fn DiagnosticsPage() -> impl IntoView {
    let api = Api::new();
    let checks = RwSignal::new(Part::<Value>::Loading);
    let deliveries = RwSignal::new(Part::<Vec<WebhookDelivery>>::Loading);
    let generations = RwSignal::new(Part::<Value>::Loading);
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
            generations.try_set(Part::from(api.ai_generations().await));
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
                {move || match checks.get() {
                    Part::Loading => view! { <p class="placeholder">"Running checks…"</p> }.into_any(),
                    Part::Missing => {
                        view! {
                            <p class="notice">
                                "This server does not offer diagnostic checks yet. The webhook log below still shows what Telnyx delivered."
                            </p>
                        }
                            .into_any()
                    }
                    Part::Failed(message) => {
                        view! { <p class="error" role="alert">{message}</p> }.into_any()
                    }
                    Part::Ready(value) => {
                        let items = list(&value, "checks");
                        if items.is_empty() {
                            view! { <p class="placeholder">"No checks reported."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="check-list card">
                                    {items
                                        .into_iter()
                                        .map(|check| {
                                            let status = text(&check, "status");
                                            let class = match status.as_str() {
                                                "ok" => "check-status ok",
                                                "warning" => "check-status warning",
                                                _ => "check-status error",
                                            };
                                            let action = text(&check, "action");
                                            view! {
                                                <li class="check" data-testid="check" data-status=status.clone()>
                                                    <span class=class>{status.clone()}</span>
                                                    <div>
                                                        <strong>{humanize(&text(&check, "name"))}</strong>
                                                        <p>{text(&check, "detail")}</p>
                                                    </div>
                                                    {(!action.is_empty())
                                                        .then(|| view! { <p class="action hint">{action}</p> })}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    }
                }}
            </section>
            <section id="webhook-deliveries" aria-labelledby="deliveries-title">
                <h2 id="deliveries-title">"Recent webhook deliveries"</h2>
                {move || match deliveries.get() {
                    Part::Loading => view! { <p class="placeholder">"Loading…"</p> }.into_any(),
                    Part::Missing => {
                        view! { <p class="notice">"This server does not list webhook deliveries."</p> }
                            .into_any()
                    }
                    Part::Failed(message) => {
                        view! { <p class="error" role="alert">{message}</p> }.into_any()
                    }
                    Part::Ready(items) if items.is_empty() => {
                        view! {
                            <p class="placeholder" id="deliveries-empty">
                                "No webhook has arrived yet. Inbound messages and delivery receipts show up here."
                            </p>
                        }
                            .into_any()
                    }
                    Part::Ready(items) => {
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
                                                        <td>{delivery.event_type.clone().unwrap_or_default()}</td>
                                                        <td>{if delivery.signature_ok { "valid" } else { "invalid" }}</td>
                                                        <td>{humanize(&delivery.outcome)}</td>
                                                        <td>{delivery.error.clone().unwrap_or_default()}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </section>
            <section id="ai-generations" aria-labelledby="generations-title">
                <h2 id="generations-title">"Recent AI generations"</h2>
                {move || match generations.get() {
                    Part::Loading => view! { <p class="placeholder">"Loading…"</p> }.into_any(),
                    Part::Missing => {
                        view! { <p class="notice">"This server does not list AI generations yet."</p> }
                            .into_any()
                    }
                    Part::Failed(message) => {
                        view! { <p class="error" role="alert">{message}</p> }.into_any()
                    }
                    Part::Ready(value) => {
                        let items = list(&value, "generations");
                        if items.is_empty() {
                            view! { <p class="placeholder">"No AI reply has been generated yet."</p> }
                                .into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table>
                                        <thead>
                                            <tr>
                                                <th scope="col">"When"</th>
                                                <th scope="col">"Model"</th>
                                                <th scope="col" class="num">"Tokens"</th>
                                                <th scope="col" class="num">"Latency"</th>
                                                <th scope="col">"Error"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {items
                                                .into_iter()
                                                .map(|generation| {
                                                    let tokens = text(&generation, "total_tokens");
                                                    let tokens = if tokens.is_empty() {
                                                        let prompt = generation.get("prompt_tokens").and_then(Value::as_i64);
                                                        let completion = generation.get("completion_tokens").and_then(Value::as_i64);
                                                        match (prompt, completion) {
                                                            (None, None) => String::new(),
                                                            (p, c) => (p.unwrap_or(0) + c.unwrap_or(0)).to_string(),
                                                        }
                                                    } else {
                                                        tokens
                                                    };
                                                    let latency = text(&generation, "latency_ms");
                                                    let error = text(&generation, "error");
                                                    let failed = !error.is_empty();
                                                    view! {
                                                        <tr data-testid="generation" class:failed=failed>
                                                            <td>{when(&generation, &["created_at", "occurred_at", "started_at"])}</td>
                                                            <td>{text(&generation, "model")}</td>
                                                            <td class="num">{tokens}</td>
                                                            <td class="num">
                                                                {if latency.is_empty() { latency } else { format!("{latency} ms") }}
                                                            </td>
                                                            <td>{error}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }
                                .into_any()
                        }
                    }
                }}
            </section>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lists_in_any_shape() {
        let checks = serde_json::json!({"checks": [{"name": "telnyx_key", "status": "ok"}]});
        assert_eq!(list(&checks, "checks").len(), 1);
        let page = serde_json::json!({"data": [{}, {}], "next_cursor": null});
        assert_eq!(list(&page, "generations").len(), 2);
        assert_eq!(list(&serde_json::json!([1, 2, 3]), "x").len(), 3);
        assert_eq!(text(&serde_json::json!({"n": 3}), "n"), "3");
        assert_eq!(text(&serde_json::json!({"n": null}), "n"), "");
    }
}
