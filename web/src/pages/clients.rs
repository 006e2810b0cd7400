//! Client records: list, search, create, edit.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use parley::wire::ClientId;
use parley::wire::{Client, CreateClient, UpdateClient};

use crate::api::Api;
use crate::components::form::{ErrorLine, FieldError, FormActions, RetryError, SubmitButton};
use crate::util::Debouncer;

const PAGE: u32 = 50;

#[derive(Clone, Copy, PartialEq)]
enum Editing {
    Closed,
    New,
    Existing(ClientId),
}

fn full_name(client: &Client) -> String {
    let parts: Vec<&str> = [client.first_name.as_deref(), client.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    parts.join(" ")
}

#[component]
pub fn ClientsPage() -> impl IntoView {
    crate::util::set_title("Clients");
    let api = Api::new();
    // `?q=` opens the page searched (the contact panel links to a client this way).
    let initial = use_query_map().with_untracked(|query| query.get("q"));
    let query = RwSignal::new(initial.unwrap_or_default());
    let items = RwSignal::new(Vec::<Client>::new());
    let loaded = RwSignal::new(false);
    let loading = RwSignal::new(false);
    let cursor = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(Editing::Closed);
    let generation = StoredValue::new(0u64);
    let debouncer = Debouncer::new(Duration::from_millis(300));

    let load = move |after: Option<String>| {
        let seq = generation.get_value() + 1;
        generation.set_value(seq);
        let q = query.get_untracked();
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = api.clients(&q, PAGE, after.as_deref()).await;
            if generation.try_get_value() != Some(seq) {
                return;
            }
            match answer {
                Ok(page) => {
                    if after.is_some() {
                        items.update(|items| items.extend(page.data));
                    } else {
                        items.set(page.data);
                    }
                    cursor.set(page.next_cursor);
                    loaded.set(true);
                }
                Err(failure) => error.set(Some(failure.message())),
            }
            loading.set(false);
        });
    };
    load(None);

    let on_search = move |event: leptos::ev::Event| {
        query.set(event_target_value(&event));
        debouncer.call(move || load(None));
    };
    let on_saved = Callback::new(move |_: ()| {
        editing.set(Editing::Closed);
        load(None);
    });
    let on_cancel = Callback::new(move |_: ()| editing.set(Editing::Closed));

    view! {
        <main class="page">
            <div class="page-head">
                <h1 id="clients-title">"Clients"</h1>
                <button
                    id="new-client"
                    type="button"
                    class="primary small"
                    on:click=move |_| editing.set(Editing::New)
                >
                    "New client"
                </button>
            </div>
            <p class="hint">
                "When a texter's number matches a client, the assistant asks to confirm who they are and then uses their name."
            </p>
            {move || {
                (editing.get() == Editing::New)
                    .then(|| view! { <ClientForm existing=None on_saved=on_saved on_cancel=on_cancel /> })
            }}
            <div class="search" role="search">
                <label for="client-search" class="visually-hidden">
                    "Search clients by name, company, email or phone"
                </label>
                <input
                    id="client-search"
                    type="search"
                    placeholder="Search name, company, email or phone"
                    prop:value=move || query.get()
                    on:input=on_search
                />
            </div>
            <RetryError id="clients-error" error=error on_retry=Callback::new(move |_| load(None)) />
            {move || {
                let empty = items.with(Vec::is_empty);
                if empty && !loaded.get() {
                    view! { <p class="placeholder">"Loading clients…"</p> }.into_any()
                } else if empty && query.with(|q| q.trim().is_empty()) {
                    view! {
                        <p id="clients-empty" class="placeholder">
                            "No clients yet."
                        </p>
                    }
                        .into_any()
                } else if empty {
                    view! {
                        <p id="clients-empty" class="placeholder">
                            "No client matches this search."
                        </p>
                    }
                        .into_any()
                } else {
                    ().into_any()
                }
            }}
            <div class="table-wrap">
                <table id="client-list" aria-label="Clients">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Phone"</th>
                            <th scope="col">"Company"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Actions"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            items
                                .get()
                                .into_iter()
                                .map(|client| {
                                    let id = client.id;
                                    if editing.get() == Editing::Existing(id) {
                                        return view! {
                                            <tr>
                                                <td colspan="5">
                                                    <ClientForm
                                                        existing=Some(client)
                                                        on_saved=on_saved
                                                        on_cancel=on_cancel
                                                    />
                                                </td>
                                            </tr>
                                        }
                                            .into_any();
                                    }
                                    let name = full_name(&client);
                                    view! {
                                        <tr data-testid="client" data-id=id.to_string()>
                                            <td>{if name.is_empty() { "—".to_string() } else { name }}</td>
                                            <td>{client.phone_number.clone().unwrap_or_default()}</td>
                                            <td>{client.company.clone().unwrap_or_default()}</td>
                                            <td>{client.email.clone().unwrap_or_default()}</td>
                                            <td>
                                                <button
                                                    type="button"
                                                    class="secondary small"
                                                    data-testid="edit-client"
                                                    on:click=move |_| editing.set(Editing::Existing(id))
                                                >
                                                    "Edit"
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                        .into_any()
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            <Show when=move || cursor.with(Option::is_some)>
                <button
                    id="clients-more"
                    type="button"
                    class="secondary small load-more"
                    disabled=move || loading.get()
                    on:click=move |_| load(cursor.get_untracked())
                >
                    {move || if loading.get() { "Loading…" } else { "Load more" }}
                </button>
            </Show>
        </main>
    }
}

#[component]
fn ClientForm(
    existing: Option<Client>,
    on_saved: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = Api::new();
    let id = existing.as_ref().map(|c| c.id);
    let field = |get: fn(&Client) -> Option<String>| {
        RwSignal::new(existing.as_ref().and_then(get).unwrap_or_default())
    };
    let first = field(|c| c.first_name.clone());
    let last = field(|c| c.last_name.clone());
    let phone = field(|c| c.phone_number.clone());
    let company = field(|c| c.company.clone());
    let email = field(|c| c.email.clone());
    let error = RwSignal::new(None::<String>);
    let phone_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let value = |signal: RwSignal<String>| {
            let text = signal.get_untracked().trim().to_string();
            (!text.is_empty()).then_some(text)
        };
        pending.set(true);
        error.set(None);
        phone_error.set(None);
        spawn_local(async move {
            let result = match id {
                None => api
                    .create_client(&CreateClient {
                        first_name: value(first),
                        last_name: value(last),
                        phone_number: value(phone),
                        company: value(company),
                        email: value(email),
                    })
                    .await
                    .map(|_| ()),
                Some(id) => api
                    .update_client(
                        id,
                        &UpdateClient {
                            first_name: Some(value(first)),
                            last_name: Some(value(last)),
                            phone_number: Some(value(phone)),
                            company: Some(value(company)),
                            email: Some(value(email)),
                        },
                    )
                    .await
                    .map(|_| ()),
            };
            match result {
                Ok(()) => on_saved.run(()),
                Err(failure) => {
                    if failure.field() == Some("phone_number") {
                        phone_error.try_set(Some(failure.message()));
                    } else {
                        error.try_set(Some(failure.message()));
                    }
                }
            }
            pending.try_set(false);
        });
    };
    let heading = if id.is_some() {
        "Edit client"
    } else {
        "New client"
    };
    view! {
        <form class="card stack" id="client-form" on:submit=submit novalidate aria-label=heading>
            <h2>{heading}</h2>
            <div class="field-row">
                <div class="field">
                    <label for="client-first-name">"First name"</label>
                    <input id="client-first-name" type="text" autocomplete="off" bind:value=first />
                </div>
                <div class="field">
                    <label for="client-last-name">"Last name"</label>
                    <input id="client-last-name" type="text" autocomplete="off" bind:value=last />
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="client-phone">"Phone"</label>
                    <input
                        id="client-phone"
                        type="tel"
                        inputmode="tel"
                        autocomplete="off"
                        aria-invalid=move || phone_error.with(Option::is_some).to_string()
                        bind:value=phone
                    />
                    <FieldError id="client-phone-error" error=phone_error />
                </div>
                <div class="field">
                    <label for="client-email">"Email"</label>
                    <input id="client-email" type="email" autocomplete="off" bind:value=email />
                </div>
            </div>
            <div class="field">
                <label for="client-company">"Company"</label>
                <input id="client-company" type="text" autocomplete="off" bind:value=company />
            </div>
            <ErrorLine id="client-error" error=error />
            <FormActions on_cancel=on_cancel>
                <SubmitButton id="client-save" label="Save" pending_label="Saving…" pending=pending />
            </FormActions>
        </form>
    }
}
