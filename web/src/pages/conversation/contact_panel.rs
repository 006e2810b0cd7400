//! The contact panel beside the conversation: who the customer is (editable), their client
//! record (linked, found and linked, or created from the conversation), qualification,
//! assistant and the AI guide, their earlier conversations with this number, and what they
//! did on other channels (recorded interactions).
//!
//! A column beside the thread on a wide screen (open by default), a drawer over it on a
//! tablet, a full-screen sheet on a phone. It is built the first time it opens and then kept
//! while hidden, so a half-filled form survives closing it. Each part follows the store, so
//! what the feed says about the conversation shows at once.

use std::time::Duration;

use leptos::leptos_dom::helpers::request_animation_frame;
use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::{
    AssistantId, Client, ClientId, Conversation, CreateClient, FeedPayload, Identity, Interaction,
    QualificationStatus, UpdateConversation,
};
use wasm_bindgen::JsCast;

use super::store::ConversationStore;
use crate::api::{Api, ApiError};
use crate::components::form::{EnumSelect, ErrorLine, FieldError};
use crate::components::status::identity_label;
use crate::feed::{self, FeedMessage};
use crate::pages::inbox::Inbox;
use crate::util::{encode_component, humanize, list_time, local_time, Debouncer};

/// From this viewport width on, the panel is a column beside the thread.
const WIDE_PX: f64 = 1100.0;
/// Set while the person keeps the panel closed on a wide screen.
const CLOSED_KEY: &str = "parley.contact_panel_closed";
/// Interactions per page.
const INTERACTIONS_PAGE: u32 = 10;

fn is_wide() -> bool {
    web_sys::window()
        .and_then(|window| window.inner_width().ok())
        .and_then(|width| width.as_f64())
        .is_some_and(|width| width >= WIDE_PX)
}

fn focus_by_id(id: &'static str) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// Whether the panel is open, and whether it has been (it is built on first opening).
#[derive(Clone, Copy)]
pub struct Panel {
    pub open: RwSignal<bool>,
    built: RwSignal<bool>,
}

impl Panel {
    /// Open on a wide screen, unless the person closed it there; closed on smaller ones,
    /// where it covers the thread.
    pub fn restore() -> Panel {
        let closed_before = crate::api::local_storage()
            .and_then(|storage| storage.get_item(CLOSED_KEY).ok().flatten())
            .is_some();
        let open = is_wide() && !closed_before;
        Panel {
            open: RwSignal::new(open),
            built: RwSignal::new(open),
        }
    }

    fn set(&self, open: bool) {
        self.open.set(open);
        if open {
            self.built.set(true);
        }
        // Only a wide screen's choice is remembered: on a phone the sheet always starts closed.
        if is_wide() {
            if let Some(storage) = crate::api::local_storage() {
                let _ = if open {
                    storage.remove_item(CLOSED_KEY)
                } else {
                    storage.set_item(CLOSED_KEY, "1")
                };
            }
        }
    }

    /// The header's button. Opened over the thread, the panel takes the focus.
    pub fn toggle(&self) {
        let open = !self.open.get_untracked();
        self.set(open);
        if open && !is_wide() {
            focus_by_id("contact-panel-title");
        }
    }

    /// The panel's Close button (shown where the panel covers the thread), or Escape there:
    /// the focus goes back to the header's button.
    fn close(&self) {
        self.set(false);
        focus_by_id("contact-panel-toggle");
    }
}

#[component]
pub fn ContactPanel(
    store: ConversationStore,
    panel: Panel,
    /// Opens the AI guide.
    on_guide: Callback<()>,
) -> impl IntoView {
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        // Over the thread (a sheet, a drawer), Escape closes the panel; beside it, nothing
        // is in the way.
        if event.key() == "Escape" && !event.default_prevented() && !is_wide() {
            event.prevent_default();
            panel.close();
        }
    };
    view! {
        <Show when=move || panel.built.get()>
            <aside
                id="contact-panel"
                class="contact-panel"
                aria-labelledby="contact-panel-title"
                hidden=move || !panel.open.get()
                on:keydown=on_keydown
            >
                <div class="panel-head">
                    <h2 id="contact-panel-title" tabindex="-1">
                        "Contact"
                    </h2>
                    <button
                        id="contact-panel-close"
                        type="button"
                        class="secondary small"
                        on:click=move |_| panel.close()
                    >
                        "Close"
                    </button>
                </div>
                <Show when=move || store.conversation.with(Option::is_some)>
                    <ContactCard store=store />
                    <ClientRecord store=store />
                    <SalesAndAi store=store on_guide=on_guide />
                    <EarlierConversations store=store />
                    <Interactions store=store />
                </Show>
            </aside>
        </Show>
    }
}

/// Text for a field: `None` when blank.
fn clean(value: String) -> Option<String> {
    let value = value.trim().to_string();
    (!value.is_empty()).then_some(value)
}

/// The refusal of one field of a form, shown under that field; any other under the form.
#[derive(Clone, Copy)]
struct FormErrors(RwSignal<Option<(Option<String>, String)>>);

impl FormErrors {
    fn new() -> FormErrors {
        FormErrors(RwSignal::new(None))
    }

    fn show(&self, failure: &ApiError, fields: &[&str]) {
        let field = failure
            .field()
            .filter(|field| fields.contains(field))
            .map(str::to_string);
        self.0.try_set(Some((field, failure.message())));
    }

    fn clear(&self) {
        self.0.set(None);
    }

    fn of(&self, field: &'static str) -> Signal<Option<String>> {
        let errors = self.0;
        Signal::derive(move || {
            errors.with(|e| {
                e.as_ref()
                    .filter(|(f, _)| f.as_deref() == Some(field))
                    .map(|(_, message)| message.clone())
            })
        })
    }

    fn general(&self) -> Signal<Option<String>> {
        let errors = self.0;
        Signal::derive(move || {
            errors.with(|e| {
                e.as_ref()
                    .filter(|(f, _)| f.is_none())
                    .map(|(_, message)| message.clone())
            })
        })
    }
}

/// The contact's name, company and number, how sure the AI is of who they are, and the
/// form that edits name and company.
#[component]
fn ContactCard(store: ConversationStore) -> impl IntoView {
    let name = move || {
        store
            .read(|c| c.contact_name.clone())
            .flatten()
            .filter(|n| !n.trim().is_empty())
    };
    let company = move || {
        store
            .read(|c| c.company.clone())
            .flatten()
            .filter(|c| !c.trim().is_empty())
    };
    let phone = move || {
        store
            .read(|c| crate::util::phone_for_people(&c.phone_number))
            .unwrap_or_default()
    };
    let identity = move || store.read(|c| c.identity).unwrap_or(Identity::Unknown);

    let editing = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let name_draft = RwSignal::new(String::new());
    let company_draft = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let start_editing = move |_| {
        name_draft.set(name().unwrap_or_default());
        company_draft.set(company().unwrap_or_default());
        errors.clear();
        editing.set(true);
        focus_by_id("contact-name");
    };
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let changes = UpdateConversation {
            contact_name: Some(clean(name_draft.get_untracked())),
            company: Some(clean(company_draft.get_untracked())),
            ..Default::default()
        };
        pending.set(true);
        errors.clear();
        spawn_local(async move {
            match store.save(&changes).await {
                Ok(()) => {
                    editing.try_set(false);
                    focus_by_id("edit-contact");
                }
                Err(failure) => errors.show(&failure, &["contact_name", "company"]),
            }
            pending.try_set(false);
        });
    };
    view! {
        <section class="panel-section contact-card" aria-label="Contact details">
            <Show
                when=move || editing.get()
                fallback=move || {
                    view! {
                        <p class="contact-name">
                            {move || name().unwrap_or_else(|| "No name yet".to_string())}
                        </p>
                        {move || company().map(|company| view! { <p id="conv-company">{company}</p> })}
                        <p class="muted">{phone}</p>
                        <p>
                            <span
                                id="conv-identity"
                                class="chip"
                                data-identity=move || identity().as_str()
                            >
                                {move || identity_label(identity())}
                            </span>
                        </p>
                        <button
                            id="edit-contact"
                            type="button"
                            class="secondary small"
                            on:click=start_editing
                        >
                            "Edit name and company"
                        </button>
                    }
                }
            >
                <form class="stack" on:submit=save novalidate aria-label="Edit the contact">
                    <div class="field">
                        <label for="contact-name">"Contact name"</label>
                        <input id="contact-name" type="text" autocomplete="off" bind:value=name_draft />
                        <FieldError id="contact-name-error" error=errors.of("contact_name") />
                    </div>
                    <div class="field">
                        <label for="contact-company">"Company"</label>
                        <input
                            id="contact-company"
                            type="text"
                            autocomplete="off"
                            bind:value=company_draft
                        />
                        <FieldError id="contact-company-error" error=errors.of("company") />
                    </div>
                    <ErrorLine id="contact-error" error=errors.general() />
                    <div class="actions">
                        <button
                            type="button"
                            class="secondary small"
                            on:click=move |_| {
                                editing.set(false);
                                focus_by_id("edit-contact");
                            }
                        >
                            "Cancel"
                        </button>
                        <button
                            id="contact-save"
                            type="submit"
                            class="primary small"
                            disabled=move || pending.get()
                        >
                            "Save"
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// A client's name as people read it: first and last name, else company, else number.
fn client_name(client: &Client) -> String {
    let name = [client.first_name.as_deref(), client.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !name.is_empty() {
        return name;
    }
    client
        .company
        .clone()
        .or_else(|| {
            client
                .phone_number
                .as_deref()
                .map(crate::util::phone_for_people)
        })
        .unwrap_or_else(|| "Unnamed client".to_string())
}

/// The Clients page searched for this client: by its number's digits (unique in the
/// tenant), else by its name.
fn clients_href(client: &Client) -> String {
    let q = client
        .phone_number
        .as_deref()
        .map(|phone| phone.chars().filter(char::is_ascii_digit).collect())
        .unwrap_or_else(|| client_name(client));
    format!("/clients?q={}", encode_component(&q))
}

/// A contact name cut in two for a client record: the last word is the last name.
fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_string(), last.trim().to_string()),
        None => (name.to_string(), String::new()),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum ClientMode {
    Idle,
    Linking,
    Creating,
}

/// The client record the conversation is linked to, or the ways to link one.
#[component]
fn ClientRecord(store: ConversationStore) -> impl IntoView {
    let api = Api::new();
    let client_id = Memo::new(move |_| store.read(|c| c.client_id).flatten());
    let client = RwSignal::new(None::<Client>);
    let load_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let mode = RwSignal::new(ClientMode::Idle);
    // What "Link to client" searches first: after a refused creation, the number it named.
    let search_for = RwSignal::new(String::new());

    Effect::new(move |_| {
        let Some(id) = client_id.get() else {
            client.set(None);
            return;
        };
        if client.with_untracked(|c| c.as_ref().is_some_and(|c| c.id == id)) {
            return;
        }
        load_error.set(None);
        spawn_local(async move {
            match api.client(id).await {
                Ok(found) if client_id.try_get_untracked() == Some(Some(id)) => {
                    client.set(Some(found));
                }
                Ok(_) => {}
                Err(failure) => {
                    load_error.try_set(Some(failure.message()));
                }
            }
        });
    });

    let link = move |id: Option<ClientId>| {
        error.set(None);
        spawn_local(async move {
            let changes = UpdateConversation {
                client_id: Some(id),
                ..Default::default()
            };
            match store.save(&changes).await {
                Ok(()) => {
                    mode.try_set(ClientMode::Idle);
                    focus_by_id(if id.is_some() {
                        "client-record-link"
                    } else {
                        "link-client"
                    });
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
        });
    };
    let on_created = Callback::new(move |created: Client| {
        let id = created.id;
        client.set(Some(created));
        link(Some(id));
    });
    let on_phone_taken = Callback::new(move |phone: String| {
        search_for.set(phone);
        mode.set(ClientMode::Linking);
    });
    let start_linking = move |_| {
        search_for.set(
            store
                .read(|c| crate::util::phone_for_people(&c.phone_number))
                .unwrap_or_default(),
        );
        mode.set(ClientMode::Linking);
    };
    let cancel = Callback::new(move |_: ()| {
        mode.set(ClientMode::Idle);
        focus_by_id("link-client");
    });

    view! {
        <section class="panel-section" aria-labelledby="client-record-title">
            <h3 id="client-record-title">"Client record"</h3>
            {move || match client_id.get() {
                Some(id) => {
                    view! {
                        <div id="client-record" class="client-record" data-client-id=id.to_string()>
                            {move || match client.get().filter(|c| c.id == id) {
                                Some(found) => {
                                    let details = [
                                        found.company.clone(),
                                        found.email.clone(),
                                    ]
                                    .into_iter()
                                    .flatten()
                                    .collect::<Vec<_>>()
                                    .join(" · ");
                                    view! {
                                        <a id="client-record-link" href=clients_href(&found)>
                                            {client_name(&found)}
                                        </a>
                                        <p class="muted">{details}</p>
                                    }
                                        .into_any()
                                }
                                None => {
                                    view! {
                                        <p class="muted">
                                            {move || {
                                                load_error
                                                    .get()
                                                    .unwrap_or_else(|| "Loading the client…".to_string())
                                            }}
                                        </p>
                                    }
                                        .into_any()
                                }
                            }}
                            <button
                                id="client-unlink"
                                type="button"
                                class="link-button"
                                on:click=move |_| link(None)
                            >
                                "Unlink"
                            </button>
                        </div>
                    }
                        .into_any()
                }
                None => {
                    match mode.get() {
                        ClientMode::Idle => {
                            view! {
                                <p class="muted" id="client-record-none">
                                    "Not linked to a client record."
                                </p>
                                <div class="panel-actions">
                                    <button
                                        id="link-client"
                                        type="button"
                                        class="secondary small"
                                        on:click=start_linking
                                    >
                                        "Link to client"
                                    </button>
                                    <button
                                        id="create-client"
                                        type="button"
                                        class="secondary small"
                                        on:click=move |_| mode.set(ClientMode::Creating)
                                    >
                                        "Create client"
                                    </button>
                                </div>
                            }
                                .into_any()
                        }
                        ClientMode::Linking => {
                            view! {
                                <ClientSearch
                                    initial=search_for.get_untracked()
                                    on_pick=Callback::new(move |id| link(Some(id)))
                                    on_cancel=cancel
                                />
                            }
                                .into_any()
                        }
                        ClientMode::Creating => {
                            view! {
                                <NewClientForm
                                    store=store
                                    on_created=on_created
                                    on_phone_taken=on_phone_taken
                                    on_cancel=cancel
                                />
                            }
                                .into_any()
                        }
                    }
                }
            }}
            <ErrorLine id="client-record-error" error=error />
        </section>
    }
}

/// Finds a client by name or number to link to the conversation.
#[component]
fn ClientSearch(
    initial: String,
    on_pick: Callback<ClientId>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = Api::new();
    let query = RwSignal::new(initial);
    let results = RwSignal::new(None::<Vec<Client>>);
    let error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u64);
    let debouncer = Debouncer::new(Duration::from_millis(300));
    let search = move || {
        let seq = generation.get_value() + 1;
        generation.set_value(seq);
        let q = query.get_untracked();
        error.set(None);
        spawn_local(async move {
            let answer = api.clients(&q, 8, None).await;
            if generation.try_get_value() != Some(seq) {
                return;
            }
            match answer {
                Ok(page) => results.set(Some(page.data)),
                Err(failure) => error.set(Some(failure.message())),
            }
        });
    };
    search();
    focus_by_id("client-link-search");
    view! {
        <div class="client-search" role="search">
            <div class="field">
                <label for="client-link-search">"Find a client by name or number"</label>
                <input
                    id="client-link-search"
                    type="search"
                    autocomplete="off"
                    prop:value=move || query.get()
                    on:input=move |event| {
                        query.set(event_target_value(&event));
                        debouncer.call(search);
                    }
                    on:keydown=move |event: leptos::ev::KeyboardEvent| {
                        if event.key() == "Escape" {
                            event.prevent_default();
                            on_cancel.run(());
                        }
                    }
                />
            </div>
            <ErrorLine id="client-search-error" error=error />
            <ul id="client-results" class="panel-list" aria-label="Matching clients">
                {move || {
                    results
                        .get()
                        .map(|found| {
                            if found.is_empty() {
                                return view! {
                                    <li class="muted" id="client-results-empty">
                                        "No client matches. Search by another name, or create one."
                                    </li>
                                }
                                    .into_any();
                            }
                            found
                                .into_iter()
                                .map(|client| {
                                    let id = client.id;
                                    let details = [
                                        client.phone_number.as_deref().map(crate::util::phone_for_people),
                                        client.company.clone(),
                                    ]
                                    .into_iter()
                                    .flatten()
                                    .collect::<Vec<_>>()
                                    .join(" · ");
                                    view! {
                                        <li data-testid="client-result" data-id=id.to_string()>
                                            <span class="item-main">
                                                <span class="item-title">{client_name(&client)}</span>
                                                <span class="muted">{details}</span>
                                            </span>
                                            <button
                                                type="button"
                                                class="secondary small"
                                                data-testid="link-this-client"
                                                on:click=move |_| on_pick.run(id)
                                            >
                                                "Link"
                                            </button>
                                        </li>
                                    }
                                        .into_any()
                                })
                                .collect_view()
                                .into_any()
                        })
                }}
            </ul>
            <button type="button" class="link-button" on:click=move |_| on_cancel.run(())>
                "Cancel"
            </button>
        </div>
    }
}

/// The fields of a new client, whose refusals show under them.
const CLIENT_FIELDS: [&str; 5] = [
    "first_name",
    "last_name",
    "phone_number",
    "company",
    "email",
];

/// A new client record, prefilled from the conversation.
#[component]
fn NewClientForm(
    store: ConversationStore,
    on_created: Callback<Client>,
    /// Another client has this number: search for it instead.
    on_phone_taken: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = Api::new();
    let conversation = store.conversation.get_untracked();
    let (first_name, last_name) = split_name(
        conversation
            .as_ref()
            .and_then(|c| c.contact_name.as_deref())
            .unwrap_or_default(),
    );
    let first = RwSignal::new(first_name);
    let last = RwSignal::new(last_name);
    let phone = RwSignal::new(
        conversation
            .as_ref()
            .map(|c| crate::util::phone_for_people(&c.phone_number))
            .unwrap_or_default(),
    );
    let company = RwSignal::new(
        conversation
            .as_ref()
            .and_then(|c| c.company.clone())
            .unwrap_or_default(),
    );
    let email = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let phone_taken = RwSignal::new(false);
    let pending = RwSignal::new(false);

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let body = CreateClient {
            first_name: clean(first.get_untracked()),
            last_name: clean(last.get_untracked()),
            phone_number: clean(phone.get_untracked()),
            company: clean(company.get_untracked()),
            email: clean(email.get_untracked()),
        };
        pending.set(true);
        errors.clear();
        phone_taken.set(false);
        spawn_local(async move {
            match api.create_client(&body).await {
                Ok(created) => on_created.run(created),
                Err(failure) => {
                    phone_taken.try_set(failure.code() == Some("phone_number_taken"));
                    errors.show(&failure, &CLIENT_FIELDS);
                }
            }
            pending.try_set(false);
        });
    };
    focus_by_id("new-client-first-name");
    view! {
        <form id="new-client-form" class="stack" on:submit=submit novalidate aria-label="New client">
            <div class="field">
                <label for="new-client-first-name">"First name"</label>
                <input id="new-client-first-name" type="text" autocomplete="off" bind:value=first />
                <FieldError id="new-client-first-name-error" error=errors.of("first_name") />
            </div>
            <div class="field">
                <label for="new-client-last-name">"Last name"</label>
                <input id="new-client-last-name" type="text" autocomplete="off" bind:value=last />
                <FieldError id="new-client-last-name-error" error=errors.of("last_name") />
            </div>
            <div class="field">
                <label for="new-client-phone">"Phone"</label>
                <input
                    id="new-client-phone"
                    type="tel"
                    inputmode="tel"
                    autocomplete="off"
                    aria-invalid=move || errors.of("phone_number").with(Option::is_some).to_string()
                    bind:value=phone
                />
                <FieldError id="new-client-phone-error" error=errors.of("phone_number") />
                <Show when=move || phone_taken.get()>
                    <button
                        id="new-client-find-existing"
                        type="button"
                        class="link-button"
                        on:click=move |_| on_phone_taken.run(phone.get_untracked())
                    >
                        "Link that client instead"
                    </button>
                </Show>
            </div>
            <div class="field">
                <label for="new-client-company">"Company"</label>
                <input id="new-client-company" type="text" autocomplete="off" bind:value=company />
                <FieldError id="new-client-company-error" error=errors.of("company") />
            </div>
            <div class="field">
                <label for="new-client-email">"Email"</label>
                <input id="new-client-email" type="email" autocomplete="off" bind:value=email />
                <FieldError id="new-client-email-error" error=errors.of("email") />
            </div>
            <ErrorLine id="new-client-error" error=errors.general() />
            <div class="actions">
                <button type="button" class="secondary small" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
                <button
                    id="new-client-save"
                    type="submit"
                    class="primary small"
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { "Creating…" } else { "Create and link" }}
                </button>
            </div>
        </form>
    }
}

/// Qualification, the assistant that answers, and the AI guide.
#[component]
fn SalesAndAi(store: ConversationStore, on_guide: Callback<()>) -> impl IntoView {
    let qualification = Signal::derive(move || store.read(|c| c.qualification_status));
    let assistant_id = move || store.read(|c| c.assistant_id).flatten();
    let assistants = store.assistants;
    let has_guide = store.has_guide;
    let error = RwSignal::new(None::<String>);
    let change = move |changes: UpdateConversation| {
        error.set(None);
        spawn_local(async move {
            if let Err(failure) = store.save(&changes).await {
                error.try_set(Some(failure.message()));
                // Show the server's state again (the select shows the refused value).
                store.conversation.try_update(|_| ());
            }
        });
    };
    view! {
        <section class="panel-section" aria-labelledby="sales-ai-title">
            <h3 id="sales-ai-title">"Qualification and AI"</h3>
            <div class="field">
                <label for="qualification">"Qualification"</label>
                <EnumSelect
                    id="qualification"
                    selected=qualification
                    on_change=Callback::new(move |status: Option<QualificationStatus>| {
                        if let Some(status) = status {
                            change(UpdateConversation {
                                qualification_status: Some(status),
                                ..Default::default()
                            });
                        }
                    })
                />
            </div>
            <div class="field">
                <label for="assistant">"Assistant"</label>
                <select
                    id="assistant"
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        change(UpdateConversation {
                            assistant_id: Some(value.parse::<AssistantId>().ok()),
                            ..Default::default()
                        });
                    }
                >
                    <option value="" prop:selected=move || assistant_id().is_none()>
                        "Tenant default"
                    </option>
                    <For each=move || assistants.get() key=|a| (a.id, a.is_default, a.name.clone()) let:assistant>
                        {
                            let id = assistant.id;
                            let label = if assistant.is_default {
                                format!("{} (default)", assistant.name)
                            } else {
                                assistant.name.clone()
                            };
                            view! {
                                <option value=id.to_string() prop:selected=move || assistant_id() == Some(id)>
                                    {label}
                                </option>
                            }
                        }
                    </For>
                </select>
            </div>
            <ErrorLine id="panel-ai-error" error=error />
            <button
                id="guide-button"
                type="button"
                class="secondary small"
                on:click=move |_| on_guide.run(())
            >
                "AI guide"
                {move || {
                    (has_guide.get() == Some(true))
                        .then(|| {
                            view! {
                                <span class="dot-marker" aria-label="(set)" id="guide-set"></span>
                            }
                        })
                }}
            </button>
        </section>
    }
}

/// Puts a conversation with this number in the list, newest first.
fn upsert_earlier(list: &mut Vec<Conversation>, conversation: Conversation) {
    match list.iter_mut().find(|c| c.id == conversation.id) {
        Some(existing) if conversation.updated_at >= existing.updated_at => {
            *existing = conversation
        }
        Some(_) => {}
        None => list.push(conversation),
    }
    list.sort_by_key(|c| std::cmp::Reverse(c.created_at));
}

/// The customer's other conversations with this number, each a link.
#[component]
fn EarlierConversations(store: ConversationStore) -> impl IntoView {
    let api = Api::new();
    let inbox = expect_context::<Inbox>();
    let phone = Memo::new(move |_| store.read(|c| c.phone_number.clone()));
    let previous = move || store.read(|c| c.previous_conversation_id).flatten();
    let items = RwSignal::new(None::<Vec<Conversation>>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(phone) = phone.get() else {
            return;
        };
        spawn_local(async move {
            match api.conversations_with(&phone).await {
                Ok(found) => {
                    let mut list = Vec::new();
                    for conversation in found.into_iter().filter(|c| c.id != store.id) {
                        upsert_earlier(&mut list, conversation);
                    }
                    items.try_set(Some(list));
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
        });
    });
    // Another conversation with this number starts or changes: the list follows.
    feed::subscribe(move |message| {
        if let FeedMessage::Event(
            FeedPayload::ConversationCreated(conversation)
            | FeedPayload::ConversationUpdated(conversation),
        ) = message
        {
            let ours = phone
                .try_with_untracked(|p| p.as_deref() == Some(conversation.phone_number.as_str()))
                .unwrap_or(false);
            if ours && conversation.id != store.id {
                items.try_update(|list| {
                    if let Some(list) = list {
                        upsert_earlier(list, conversation.clone());
                    }
                });
            }
        }
    });
    view! {
        <section class="panel-section" aria-labelledby="earlier-title">
            <h3 id="earlier-title">"Earlier conversations"</h3>
            <ErrorLine id="earlier-error" error=error />
            {move || {
                items
                    .get()
                    .map(|list| {
                        if list.is_empty() {
                            return view! {
                                <p class="muted" id="earlier-none">
                                    "None: this is the first conversation with this number."
                                </p>
                            }
                                .into_any();
                        }
                        view! {
                            <ul id="earlier-conversations" class="panel-list">
                                {list
                                    .into_iter()
                                    .map(|conversation| {
                                        let id = conversation.id;
                                        let activity = conversation
                                            .last_message_at
                                            .unwrap_or(conversation.created_at);
                                        view! {
                                            <li data-testid="earlier-conversation" data-id=id.to_string()>
                                                <span class="item-main">
                                                    <a href=move || inbox.href(id)>
                                                        {format!("Started {}", local_time(conversation.created_at))}
                                                    </a>
                                                    <span class="muted">
                                                        {format!("Last activity {}", list_time(activity))}
                                                        {move || (previous() == Some(id)).then_some(" · continued here")}
                                                    </span>
                                                    {conversation
                                                        .last_message_preview
                                                        .clone()
                                                        .map(|preview| view! { <span class="preview">{preview}</span> })}
                                                </span>
                                                <span class="chip" data-status=conversation.status.as_str()>
                                                    {humanize(conversation.status.as_str())}
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    })
            }}
        </section>
    }
}

/// What the customer did on other channels (calls, emails, chats), recorded by integrations:
/// by their number, and by their client record when there is one.
#[component]
fn Interactions(store: ConversationStore) -> impl IntoView {
    let api = Api::new();
    let phone = Memo::new(move |_| store.read(|c| c.phone_number.clone()));
    let client_id = Memo::new(move |_| store.read(|c| c.client_id).flatten());
    let items = RwSignal::new(None::<Vec<Interaction>>);
    let cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u64);
    let load = move |after: Option<String>| {
        let Some(phone) = phone.get_untracked() else {
            return;
        };
        let client = client_id.get_untracked();
        let seq = generation.get_value() + 1;
        generation.set_value(seq);
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = api
                .interactions(&phone, client, INTERACTIONS_PAGE, after.as_deref())
                .await;
            if generation.try_get_value() != Some(seq) {
                return;
            }
            match answer {
                Ok(page) => {
                    items.update(|items| match items {
                        Some(items) if after.is_some() => items.extend(page.data),
                        _ => *items = Some(page.data),
                    });
                    cursor.set(page.next_cursor);
                }
                Err(failure) => error.set(Some(failure.message())),
            }
            loading.set(false);
        });
    };
    // Linking a client may bring the interactions recorded for it.
    Effect::new(move |_| {
        phone.track();
        client_id.track();
        load(None);
    });
    view! {
        <section class="panel-section" aria-labelledby="interactions-title">
            <h3 id="interactions-title">"Recorded interactions"</h3>
            <ErrorLine id="interactions-error" error=error />
            {move || {
                items
                    .get()
                    .map(|list| {
                        if list.is_empty() {
                            return view! {
                                <p class="muted" id="interactions-none">
                                    "No calls, emails or chats recorded for this customer."
                                </p>
                            }
                                .into_any();
                        }
                        view! {
                            <ul id="interactions" class="panel-list">
                                {list
                                    .into_iter()
                                    .map(|interaction| {
                                        view! {
                                            <li
                                                class="interaction"
                                                data-testid="interaction"
                                                data-id=interaction.id.to_string()
                                            >
                                                <span class="item-main">
                                                    <span class="muted">
                                                        <span class="chip">{interaction.channel.clone()}</span>
                                                        " "
                                                        <time datetime=interaction.occurred_at.to_rfc3339()>
                                                            {local_time(interaction.occurred_at)}
                                                        </time>
                                                    </span>
                                                    <span class="summary">{interaction.summary.clone()}</span>
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    })
            }}
            <Show when=move || cursor.with(Option::is_some)>
                <button
                    id="interactions-more"
                    type="button"
                    class="link-button"
                    disabled=move || loading.get()
                    on:click=move |_| load(cursor.get_untracked())
                >
                    {move || if loading.get() { "Loading…" } else { "Show more" }}
                </button>
            </Show>
        </section>
    }
}
