//! One conversation: header (contact, qualification, AI switch, assistant, guide), the
//! messages with their delivery state, and the composer with optimistic sending.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use parley::wire::{
    AiResponseGenerated, Assistant, ContactIdentified, Conversation, ConversationStatus, Direction,
    FeedPayload, Identity, Message, MessageStatus, QualificationStatus, UpdateConversation,
};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::api::Api;
use crate::components::composer::Composer;
use crate::components::guide_dialog::GuideDialog;
use crate::components::shell::Account;
use crate::components::simulate_dialog::SimulateDialog;
use crate::components::status::{
    author_label, error_words, identity_label, qualification_label, status_rank, MessageStatusBadge,
};
use crate::feed::{self, FeedMessage};
use crate::pages::inbox::Inbox;
use crate::util::{list_time, local_time, Debouncer};

/// Messages per page of history.
const HISTORY_PAGE: u32 = 50;

/// The route `/c/:id`: a fresh view for each conversation.
#[component]
pub fn ConversationRoute() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    move || match id.get() {
        Some(id) => view! { <ConversationView id=id /> }.into_any(),
        None => view! {
            <div class="empty-pane" id="conversation-missing">
                <p>"This conversation does not exist."</p>
            </div>
        }
        .into_any(),
    }
}

/// A line of the history: a message the server knows, or one being sent.
#[derive(Clone, Debug, PartialEq)]
enum Row {
    Server(Message),
    Pending {
        local: u64,
        text: String,
        error: Option<String>,
    },
}

impl Row {
    fn key(&self) -> String {
        match self {
            Row::Server(message) => format!(
                "{}:{}:{}",
                message.id,
                message.status.as_str(),
                message.error.is_some()
            ),
            Row::Pending { local, error, .. } => format!("local-{local}:{}", error.is_some()),
        }
    }
}

/// Puts a server message in place: replaces its older self, or a pending row with the same
/// text (the answer to our own send), or goes in time order before the pending rows.
fn upsert(rows: &mut Vec<Row>, message: Message, pending_local: Option<u64>) {
    if let Some(Row::Server(existing)) = rows
        .iter_mut()
        .find(|row| matches!(row, Row::Server(m) if m.id == message.id))
    {
        if status_rank(message.status) >= status_rank(existing.status) {
            *existing = message;
        }
        if let Some(local) = pending_local {
            rows.retain(|row| !matches!(row, Row::Pending { local: l, .. } if *l == local));
        }
        return;
    }
    let replaced = match pending_local {
        Some(local) => rows
            .iter()
            .position(|row| matches!(row, Row::Pending { local: l, .. } if *l == local)),
        None if message.direction == Direction::Outbound => rows.iter().position(
            |row| matches!(row, Row::Pending { text, error: None, .. } if *text == message.text),
        ),
        None => None,
    };
    if let Some(index) = replaced {
        rows[index] = Row::Server(message);
        return;
    }
    let index = rows
        .iter()
        .position(|row| match row {
            Row::Server(m) => m.created_at > message.created_at,
            Row::Pending { .. } => true,
        })
        .unwrap_or(rows.len());
    rows.insert(index, Row::Server(message));
}

#[component]
fn ConversationView(id: Uuid) -> impl IntoView {
    let api = Api::new();
    let inbox = expect_context::<Inbox>();
    let account = expect_context::<Account>();
    let conversation = RwSignal::new(None::<Conversation>);
    let load_error = RwSignal::new(None::<(bool, String)>);
    let rows = RwSignal::new(Vec::<Row>::new());
    let history_loaded = RwSignal::new(false);
    let older_cursor = RwSignal::new(None::<String>);
    let loading_older = RwSignal::new(false);
    let header_error = RwSignal::new(None::<String>);
    let assistants = RwSignal::new(Vec::<Assistant>::new());
    let has_guide = RwSignal::new(None::<bool>);
    let guide_open = RwSignal::new(false);
    let simulate_open = RwSignal::new(false);
    let next_local = StoredValue::new(0u64);
    let expanded = RwSignal::new(false);
    let list = NodeRef::<leptos::html::Ol>::new();

    let scroll_to_end = move || {
        leptos::leptos_dom::helpers::request_animation_frame(move || {
            if let Some(list) = list.get_untracked() {
                list.set_scroll_top(list.scroll_height());
            }
        });
    };
    let near_end = move || {
        list.get_untracked().is_none_or(|list| {
            list.scroll_height() - list.scroll_top() - list.client_height() < 120
        })
    };

    // The tab says whose conversation this is; on a phone, where the list just disappeared,
    // focus moves to the conversation's title so keyboard and screen reader users follow.
    Effect::new(move |focused: Option<bool>| {
        let Some(title) = conversation.with(|c| {
            c.as_ref().map(|c| {
                c.contact_name
                    .clone()
                    .filter(|name| !name.trim().is_empty())
                    .unwrap_or_else(|| c.phone_number.clone())
            })
        }) else {
            return false;
        };
        crate::util::set_title(&title);
        if focused != Some(true) {
            focus_title_if_lost();
        }
        true
    });

    let apply_conversation = move |fresh: Conversation| {
        let newer = conversation
            .with_untracked(|c| c.as_ref().is_none_or(|c| fresh.updated_at >= c.updated_at));
        if newer {
            conversation.set(Some(fresh.clone()));
        }
        inbox.apply(fresh);
    };

    let mark_read = move || {
        spawn_local(async move {
            if let Ok(fresh) = api.mark_read(id).await {
                apply_conversation(fresh);
            }
        });
    };
    let read_later = Debouncer::new(Duration::from_millis(250));

    let load_conversation = move || {
        spawn_local(async move {
            match api.conversation(id).await {
                Ok(fresh) => {
                    let unread = fresh.unread_count > 0;
                    apply_conversation(fresh);
                    if unread {
                        mark_read();
                    }
                }
                Err(failure) => {
                    load_error.try_set(Some((failure.is_not_found(), failure.message())));
                }
            }
        });
    };
    let load_latest = move || {
        spawn_local(async move {
            match api.messages(id, HISTORY_PAGE, None).await {
                Ok(page) => {
                    let first = !history_loaded.get_untracked();
                    rows.update(|rows| {
                        for message in page.data {
                            upsert(rows, message, None);
                        }
                    });
                    if first {
                        older_cursor.set(page.next_cursor);
                        history_loaded.set(true);
                        scroll_to_end();
                    }
                }
                Err(failure) => {
                    load_error.try_set(Some((failure.is_not_found(), failure.message())));
                }
            }
        });
    };
    load_conversation();
    load_latest();
    spawn_local(async move {
        if let Ok(list) = api.assistants().await {
            assistants.try_set(list);
        }
    });
    spawn_local(async move {
        if let Ok(guide) = api.guide(id).await {
            has_guide.try_set(Some(guide.is_some()));
        }
    });

    let load_older = move |_| {
        let Some(cursor) = older_cursor.get_untracked() else {
            return;
        };
        if loading_older.get_untracked() {
            return;
        }
        loading_older.set(true);
        spawn_local(async move {
            match api.messages(id, HISTORY_PAGE, Some(&cursor)).await {
                Ok(page) => {
                    rows.update(|rows| {
                        for message in page.data {
                            upsert(rows, message, None);
                        }
                    });
                    older_cursor.set(page.next_cursor);
                }
                Err(failure) => header_error.set(Some(failure.message())),
            }
            loading_older.try_set(false);
        });
    };

    feed::subscribe(move |event| match event {
        FeedMessage::Event(
            payload @ (FeedPayload::MessageCreated(message)
            | FeedPayload::MessageStatusUpdated(message)
            | FeedPayload::AiResponseGenerated(AiResponseGenerated { message, .. })),
        ) if message.conversation_id == id => {
            let follow = near_end();
            let unread = matches!(payload, FeedPayload::MessageCreated(_))
                && message.direction == Direction::Inbound;
            rows.update(|rows| upsert(rows, message.clone(), None));
            if follow {
                scroll_to_end();
            }
            if unread {
                read_later.call(mark_read);
            }
        }
        FeedMessage::Event(
            FeedPayload::ConversationCreated(fresh)
            | FeedPayload::ConversationUpdated(fresh)
            | FeedPayload::ContactIdentified(ContactIdentified {
                conversation: fresh,
                ..
            }),
        ) if fresh.id == id => {
            let newer = conversation
                .with_untracked(|c| c.as_ref().is_none_or(|c| fresh.updated_at >= c.updated_at));
            if newer {
                conversation.set(Some(fresh.clone()));
            }
        }
        FeedMessage::Resync => {
            load_conversation();
            load_latest();
        }
        FeedMessage::Event(FeedPayload::OptOutChanged(_)) => load_conversation(),
        _ => {}
    });

    feed::poll_while_offline(Duration::from_secs(10), move || {
        load_conversation();
        load_latest();
    });

    let send = move |text: String, retry_of: Option<u64>| {
        let local = match retry_of {
            Some(local) => local,
            None => {
                let local = next_local.get_value() + 1;
                next_local.set_value(local);
                local
            }
        };
        rows.update(|rows| match retry_of {
            Some(local) => {
                for row in rows.iter_mut() {
                    if let Row::Pending {
                        local: l, error, ..
                    } = row
                    {
                        if *l == local {
                            *error = None;
                        }
                    }
                }
            }
            None => rows.push(Row::Pending {
                local,
                text: text.clone(),
                error: None,
            }),
        });
        scroll_to_end();
        spawn_local(async move {
            match api.send_message(id, &text).await {
                Ok(message) => rows.update(|rows| upsert(rows, message, Some(local))),
                Err(failure) => {
                    let reason = failure.message();
                    rows.update(|rows| {
                        for row in rows.iter_mut() {
                            if let Row::Pending {
                                local: l, error, ..
                            } = row
                            {
                                if *l == local {
                                    *error = Some(reason.clone());
                                }
                            }
                        }
                    });
                    if failure.code().is_some_and(|code| code.contains("opt")) {
                        load_conversation();
                    }
                }
            }
        });
    };
    let on_send = Callback::new(move |text: String| send(text, None));

    let update = move |changes: UpdateConversation| {
        header_error.set(None);
        spawn_local(async move {
            match api.update_conversation(id, &changes).await {
                Ok(fresh) => apply_conversation(fresh),
                Err(failure) => {
                    header_error.try_set(Some(failure.message()));
                    // Show the server's state again (a select may show the refused value).
                    conversation.try_update(|_| ());
                }
            }
        });
    };

    let blocked = Signal::derive(move || {
        conversation.with(|c| {
            c.as_ref().and_then(|c| {
                c.opted_out.then(|| {
                    "This customer opted out (STOP). Nothing can be sent until they text START."
                        .to_string()
                })
            })
        })
    });

    view! {
        <article class="conversation" aria-labelledby="conv-title" data-id=id.to_string()>
            {move || {
                load_error
                    .get()
                    .map(|(missing, message)| {
                        view! {
                            <div id="conversation-error" class="error" role="alert">
                                {if missing {
                                    "This conversation does not exist, or belongs to another organisation."
                                        .to_string()
                                } else {
                                    message
                                }}
                            </div>
                        }
                    })
            }}
            <header class="conv-header" class:expanded=move || expanded.get()>
                <a id="back-to-list" class="back" href=move || inbox.list_href()>
                    <span aria-hidden="true">"← "</span>
                    "Conversations"
                </a>
                <button
                    id="conv-details"
                    type="button"
                    class="more secondary small"
                    aria-expanded=move || expanded.get().to_string()
                    on:click=move |_| expanded.update(|e| *e = !*e)
                >
                    {move || if expanded.get() { "Hide details" } else { "Details" }}
                </button>
                <Show
                    when=move || conversation.with(Option::is_some)
                    fallback=|| {
                        view! {
                            <div class="who">
                                <h2 id="conv-title">"Loading…"</h2>
                            </div>
                        }
                    }
                >
                    <Header
                        conversation=conversation
                        assistants=assistants
                        has_guide=has_guide
                        update=update
                        open_guide=move || guide_open.set(true)
                    />
                </Show>
                <Show when=move || account.simulator.get()>
                    <button
                        id="simulate-reply"
                        type="button"
                        class="secondary small"
                        on:click=move |_| simulate_open.set(true)
                    >
                        "Simulate customer reply"
                    </button>
                </Show>
                {move || {
                    header_error
                        .get()
                        .map(|message| {
                            view! {
                                <p id="header-error" class="error" role="alert">
                                    {message}
                                </p>
                            }
                        })
                }}
            </header>
            <ol id="messages" class="messages" node_ref=list aria-label="Messages" aria-live="polite">
                <Show when=move || older_cursor.with(Option::is_some)>
                    <li class="older">
                        <button
                            id="load-older"
                            type="button"
                            class="link-button"
                            on:click=load_older
                            disabled=move || loading_older.get()
                        >
                            {move || {
                                if loading_older.get() { "Loading…" } else { "Show older messages" }
                            }}
                        </button>
                    </li>
                </Show>
                <Show when=move || !history_loaded.get() && load_error.with(Option::is_none)>
                    <li class="placeholder" id="messages-loading">
                        "Loading messages…"
                    </li>
                </Show>
                <Show when=move || history_loaded.get() && rows.with(Vec::is_empty)>
                    <li class="placeholder" id="messages-empty">
                        "No messages yet."
                    </li>
                </Show>
                <For each=move || rows.get() key=Row::key let:row>
                    <MessageRow row=row retry=move |local, text| send(text, Some(local)) />
                </For>
            </ol>
            <Composer blocked=blocked on_send=on_send />
        </article>
        <Show when=move || guide_open.get()>
            <GuideDialog
                conversation_id=id
                on_close=Callback::new(move |_| guide_open.set(false))
                on_change=Callback::new(move |set: bool| has_guide.set(Some(set)))
            />
        </Show>
        <Show when=move || simulate_open.get()>
            <SimulateDialog
                on_close=Callback::new(move |_| simulate_open.set(false))
                from=conversation.get_untracked().map(|c| c.phone_number).unwrap_or_default()
                on_sent=Callback::new(move |_| {
                    load_conversation();
                    load_latest();
                })
            />
        </Show>
    }
}

/// Moves focus to the conversation's title when the focused element is hidden (the list on
/// a phone) or nothing has focus.
fn focus_title_if_lost() {
    leptos::leptos_dom::helpers::request_animation_frame(|| {
        let document = leptos::prelude::document();
        let lost = match document
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            None => true,
            Some(active) => {
                active.offset_parent().is_none() || document.body().is_some_and(|b| b == active)
            }
        };
        if lost {
            if let Some(title) = document
                .get_element_by_id("conv-title")
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = title.focus();
            }
        }
    });
}

/// The conversation's header. Every part follows the conversation signal on its own, so an
/// update (a PATCH answer, the feed) never re-creates the controls and keyboard focus stays.
#[component]
fn Header<U, G>(
    conversation: RwSignal<Option<Conversation>>,
    assistants: RwSignal<Vec<Assistant>>,
    has_guide: RwSignal<Option<bool>>,
    update: U,
    open_guide: G,
) -> impl IntoView
where
    U: Fn(UpdateConversation) + Copy + Send + Sync + 'static,
    G: Fn() + Copy + Send + Sync + 'static,
{
    fn nonempty(value: &Option<String>) -> Option<String> {
        value.clone().filter(|v| !v.trim().is_empty())
    }
    let title = move || {
        conversation.with(|c| {
            c.as_ref()
                .map(|c| nonempty(&c.contact_name).unwrap_or_else(|| c.phone_number.clone()))
                .unwrap_or_default()
        })
    };
    let company = move || conversation.with(|c| c.as_ref().and_then(|c| nonempty(&c.company)));
    let phone = move || {
        conversation.with(|c| {
            c.as_ref()
                .map(|c| c.phone_number.clone())
                .unwrap_or_default()
        })
    };
    let identity =
        move || conversation.with(|c| c.as_ref().map(|c| c.identity).unwrap_or(Identity::Unknown));
    let opted_out = move || conversation.with(|c| c.as_ref().is_some_and(|c| c.opted_out));
    let closed = move || {
        conversation.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.status == ConversationStatus::Closed)
        })
    };
    let ai_enabled = move || conversation.with(|c| c.as_ref().is_some_and(|c| c.ai_enabled));
    let qualification = move || {
        conversation.with(|c| {
            c.as_ref()
                .map(|c| c.qualification_status)
                .unwrap_or(QualificationStatus::New)
        })
    };
    let assistant_id = move || conversation.with(|c| c.as_ref().and_then(|c| c.assistant_id));
    // A person replied: the AI stays quiet until then (the server decides; we only say so).
    let paused_until = move || {
        conversation.with(|c| {
            c.as_ref()
                .filter(|c| c.ai_enabled)
                .and_then(|c| c.ai_paused_until)
                .filter(|until| *until > crate::util::now())
        })
    };
    let ai_error = move || conversation.with(|c| c.as_ref().and_then(|c| c.ai_error.clone()));

    let editing = RwSignal::new(false);
    let name_draft = RwSignal::new(String::new());
    let company_draft = RwSignal::new(String::new());
    let toggle_editing = move |_| {
        if !editing.get_untracked() {
            conversation.with_untracked(|c| {
                if let Some(c) = c {
                    name_draft.set(c.contact_name.clone().unwrap_or_default());
                    company_draft.set(c.company.clone().unwrap_or_default());
                }
            });
        }
        editing.update(|e| *e = !*e);
    };
    let save_contact = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let clean = |value: String| {
            let value = value.trim().to_string();
            (!value.is_empty()).then_some(value)
        };
        update(UpdateConversation {
            contact_name: Some(clean(name_draft.get_untracked())),
            company: Some(clean(company_draft.get_untracked())),
            ..Default::default()
        });
        editing.set(false);
    };
    view! {
        <div class="who">
            <h2 id="conv-title" tabindex="-1">{title}</h2>
            <p class="sub">
                {move || company().map(|company| view! { <span id="conv-company">{company}</span> })}
                <span id="conv-phone">{phone}</span>
                <button
                    id="edit-contact"
                    type="button"
                    class="link-button"
                    aria-expanded=move || editing.get().to_string()
                    on:click=toggle_editing
                >
                    "Edit contact"
                </button>
            </p>
            <p class="chips">
                <span id="conv-identity" class="chip" data-identity=move || identity().as_str()>
                    {move || identity_label(identity())}
                </span>
                <Show when=opted_out>
                    <span id="conv-opted-out" class="chip danger">
                        "Opted out"
                    </span>
                </Show>
                <Show when=closed>
                    <span class="chip">"Closed"</span>
                </Show>
                {move || {
                    paused_until()
                        .map(|until| {
                            view! {
                                <span id="conv-ai-paused" class="chip" title="A person replied, so the AI waits">
                                    {format!("AI paused until {}", list_time(until))}
                                </span>
                                <button
                                    id="ai-resume"
                                    type="button"
                                    class="link-button small-text"
                                    on:click=move |_| {
                                        update(UpdateConversation {
                                            ai_enabled: Some(true),
                                            ..Default::default()
                                        })
                                    }
                                >
                                    "Let the AI answer again"
                                </button>
                            }
                        })
                }}
            </p>
            {move || {
                ai_error()
                    .map(|error| {
                        view! {
                            <p id="conv-ai-error" class="notice warning" role="status">
                                {format!("The last AI reply failed: {error}")}
                            </p>
                        }
                    })
            }}
        </div>
        <Show when=move || editing.get()>
            <form class="contact-form" on:submit=save_contact>
                <div class="field">
                    <label for="contact-name">"Contact name"</label>
                    <input id="contact-name" type="text" bind:value=name_draft />
                </div>
                <div class="field">
                    <label for="contact-company">"Company"</label>
                    <input id="contact-company" type="text" bind:value=company_draft />
                </div>
                <button id="contact-save" type="submit" class="primary small">
                    "Save"
                </button>
            </form>
        </Show>
        <div class="conv-controls">
            <div class="control">
                <label for="qualification">"Qualification"</label>
                <select
                    id="qualification"
                    on:change=move |event| {
                        if let Some(status) = QualificationStatus::parse(&event_target_value(&event)) {
                            update(UpdateConversation {
                                qualification_status: Some(status),
                                ..Default::default()
                            });
                        }
                    }
                >
                    {QualificationStatus::ALL
                        .iter()
                        .map(|status| {
                            let status = *status;
                            view! {
                                <option value=status.as_str() prop:selected=move || qualification() == status>
                                    {qualification_label(status)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="control">
                <label for="assistant">"Assistant"</label>
                <select
                    id="assistant"
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        update(UpdateConversation {
                            assistant_id: Some(Uuid::parse_str(&value).ok()),
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
            <button
                id="ai-toggle"
                type="button"
                role="switch"
                class="switch"
                class:on=ai_enabled
                aria-checked=move || ai_enabled().to_string()
                on:click=move |_| {
                    update(UpdateConversation {
                        ai_enabled: Some(!ai_enabled()),
                        ..Default::default()
                    })
                }
            >
                <span class="track" aria-hidden="true">
                    <span class="thumb"></span>
                </span>
                {move || if ai_enabled() { "AI replies on" } else { "AI replies off" }}
            </button>
            <button
                id="guide-button"
                type="button"
                class="secondary small"
                on:click=move |_| open_guide()
            >
                "AI Guide"
                {move || {
                    (has_guide.get() == Some(true))
                        .then(|| {
                            view! {
                                <span class="dot-marker" aria-label="(set)" id="guide-set"></span>
                            }
                        })
                }}
            </button>
            <button
                id="status-toggle"
                type="button"
                class="secondary small"
                on:click=move |_| {
                    update(UpdateConversation {
                        status: Some(
                            if closed() { ConversationStatus::Active } else { ConversationStatus::Closed },
                        ),
                        ..Default::default()
                    })
                }
            >
                {move || if closed() { "Reopen" } else { "Close conversation" }}
            </button>
        </div>
    }
}

#[component]
fn MessageRow<R>(row: Row, retry: R) -> impl IntoView
where
    R: Fn(u64, String) + Copy + Send + Sync + 'static,
{
    match row {
        Row::Server(message) => {
            let direction = message.direction.as_str();
            let author = if message.ai_provider.as_deref() == Some("offline_demo") {
                "AI (offline demo)"
            } else {
                author_label(message.author)
            };
            let class = format!("message {direction} author-{}", message.author.as_str());
            let time = message.created_at;
            let failure = error_words(&message);
            let segments = message.segments;
            view! {
                <li
                    class=class
                    data-testid="message"
                    data-id=message.id.to_string()
                    data-direction=direction
                    data-author=message.author.as_str()
                    data-status=message.status.as_str()
                >
                    <div class="bubble">
                        <p class="text" data-testid="message-text">{message.text.clone()}</p>
                    </div>
                    <p class="meta">
                        <span class="author">{author}</span>
                        " · "
                        <time datetime=time.to_rfc3339() title=local_time(time)>
                            {list_time(time)}
                        </time>
                        {(message.direction == Direction::Outbound || message.status != MessageStatus::Received)
                            .then(|| view! { " · " <MessageStatusBadge status=message.status /> })}
                        {(segments > 1).then(|| format!(" · {segments} segments"))}
                    </p>
                    {failure
                        .map(|words| {
                            view! {
                                <p class="message-error" data-testid="message-error">
                                    {words}
                                </p>
                            }
                        })}
                </li>
            }
                .into_any()
        }
        Row::Pending { local, text, error } => {
            let failed = error.is_some();
            let retry_text = text.clone();
            view! {
                <li
                    class="message outbound author-agent pending"
                    data-testid="message"
                    data-direction="outbound"
                    data-author="agent"
                    data-status=if failed { "not_sent" } else { "pending" }
                >
                    <div class="bubble">
                        <p class="text" data-testid="message-text">{text}</p>
                    </div>
                    <p class="meta">
                        "Agent · "
                        <span class="status" data-testid="message-status">
                            {if failed { "Not sent" } else { "Sending…" }}
                        </span>
                    </p>
                    {error
                        .map(|reason| {
                            view! {
                                <p class="message-error" data-testid="message-error" role="alert">
                                    {reason}
                                    " "
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid="retry-send"
                                        on:click=move |_| retry(local, retry_text.clone())
                                    >
                                        "Retry"
                                    </button>
                                </p>
                            }
                        })}
                </li>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: u128, text: &str, status: &str, minute: u32) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": Uuid::from_u128(id),
            "conversation_id": Uuid::from_u128(99),
            "direction": "outbound", "author": "agent", "text": text, "encoding": "GSM-7",
            "segments": 1, "status": status, "error": null, "telnyx_message_id": null,
            "created_at": format!("2026-11-25T10:{minute:02}:00Z"), "sent_at": null, "delivered_at": null
        }))
        .expect("message")
    }

    #[test]
    fn the_servers_answer_replaces_the_pending_row() {
        let mut rows = vec![Row::Pending {
            local: 1,
            text: "Hi".into(),
            error: None,
        }];
        upsert(&mut rows, message(1, "Hi", "queued", 1), Some(1));
        assert_eq!(rows, vec![Row::Server(message(1, "Hi", "queued", 1))]);
        // A later receipt moves it on; an older answer never moves it back.
        upsert(&mut rows, message(1, "Hi", "delivered", 1), None);
        upsert(&mut rows, message(1, "Hi", "sending", 1), None);
        assert_eq!(rows, vec![Row::Server(message(1, "Hi", "delivered", 1))]);
    }

    #[test]
    fn the_feed_may_come_before_the_answer() {
        let mut rows = vec![Row::Pending {
            local: 7,
            text: "Hello".into(),
            error: None,
        }];
        upsert(&mut rows, message(2, "Hello", "queued", 2), None);
        assert_eq!(rows.len(), 1);
        upsert(&mut rows, message(2, "Hello", "queued", 2), Some(7));
        assert_eq!(rows, vec![Row::Server(message(2, "Hello", "queued", 2))]);
    }

    #[test]
    fn messages_go_in_time_order_before_pending_ones() {
        let mut rows = vec![
            Row::Server(message(1, "a", "sent", 1)),
            Row::Server(message(3, "c", "sent", 3)),
            Row::Pending {
                local: 1,
                text: "d".into(),
                error: None,
            },
        ];
        upsert(&mut rows, message(2, "b", "sent", 2), None);
        let texts: Vec<String> = rows
            .iter()
            .map(|row| match row {
                Row::Server(m) => m.text.clone(),
                Row::Pending { text, .. } => text.clone(),
            })
            .collect();
        assert_eq!(texts, ["a", "b", "c", "d"]);
    }
}
