//! The inbox: search, filters and the conversation list beside the open conversation.
//!
//! The list's state lives in [`Inbox`] (context), so the open conversation, the start dialog
//! and the live feed all update the same rows. The search and filters live in the URL.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use parley::wire::ConversationId;
use parley::wire::{
    Channel, ContactIdentified, Conversation, ConversationStatus, FeedPayload, QualificationStatus,
    UpdateConversation, User, UserId,
};
use wasm_bindgen::JsCast;

use crate::api::Api;
use crate::components::assignee::AssigneeSelect;
use crate::components::form::{Choice, EnumSelect, RetryError};
use crate::components::shell::Account;
use crate::components::simulate_dialog::SimulateDialog;
use crate::components::start_dialog::StartDialog;
use crate::components::status::qualification_label;
use crate::feed::{self, FeedMessage};
use crate::util::{list_time, local_time, today, Debouncer, Filters, View};

/// Conversations per page of the list.
const PAGE: u32 = 30;

/// The list as shown, shared through context.
#[derive(Clone, Copy)]
pub struct Inbox {
    pub items: RwSignal<Vec<Conversation>>,
    pub filters: Memo<Filters>,
    /// The conversation open beside the list, from the URL.
    pub selected: Memo<Option<ConversationId>>,
    /// A short notice over the list ("resumed the existing conversation").
    pub notice: RwSignal<Option<String>>,
    /// The tenant's people, for assignment here and in the open conversation.
    pub users: RwSignal<Vec<User>>,
    next_cursor: RwSignal<Option<String>>,
    loading: RwSignal<bool>,
    loaded: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    generation: StoredValue<u64>,
    api: Api,
}

/// When a conversation was last active: the list's order.
fn activity(conversation: &Conversation) -> chrono::DateTime<chrono::Utc> {
    conversation
        .last_message_at
        .unwrap_or(conversation.created_at)
}

/// Newest activity first, like the server.
fn sort(items: &mut [Conversation]) {
    items.sort_by(|a, b| activity(b).cmp(&activity(a)).then_with(|| b.id.cmp(&a.id)));
}

impl Inbox {
    /// Puts a newer version of a conversation, as the API answered it to this person, in the
    /// list (or a new one, when no filter could exclude it). Answers whether the list holds
    /// it now.
    pub fn apply(&self, conversation: Conversation) -> bool {
        self.put(conversation, false)
    }

    /// The same for a version from the feed, which carries the team's unread count: a row
    /// keeps the person's own until the list is read again.
    fn apply_from_feed(&self, conversation: Conversation) -> bool {
        self.put(conversation, true)
    }

    fn put(&self, conversation: Conversation, keep_unread: bool) -> bool {
        let unfiltered = self.filters.with_untracked(Filters::is_empty);
        let mut known = false;
        self.items.update(|items| {
            if let Some(existing) = items.iter_mut().find(|c| c.id == conversation.id) {
                known = true;
                if conversation.updated_at >= existing.updated_at {
                    let unread = existing.unread_count;
                    *existing = conversation;
                    if keep_unread {
                        existing.unread_count = unread;
                    }
                }
            } else if unfiltered {
                known = true;
                items.push(conversation);
            }
            sort(items);
        });
        known
    }

    /// Starts over with the first page (filters changed).
    fn reload(&self) {
        self.items.set(Vec::new());
        self.next_cursor.set(None);
        self.loaded.set(false);
        self.load(None);
    }

    fn load_more(&self) {
        if self.loading.get_untracked() {
            return;
        }
        if let Some(cursor) = self.next_cursor.get_untracked() {
            self.load(Some(cursor));
        }
    }

    fn load(&self, cursor: Option<String>) {
        let inbox = *self;
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let filters = self.filters.get_untracked();
        self.loading.set(true);
        self.error.set(None);
        spawn_local(async move {
            let answer = inbox
                .api
                .conversations(&filters, PAGE, cursor.as_deref())
                .await;
            if inbox.generation.try_get_value() != Some(generation) {
                return; // Filters changed meanwhile: a newer request owns the list.
            }
            match answer {
                Ok(page) => {
                    inbox.items.update(|items| {
                        for conversation in page.data {
                            match items.iter_mut().find(|c| c.id == conversation.id) {
                                Some(existing) => {
                                    if conversation.updated_at >= existing.updated_at {
                                        *existing = conversation;
                                    }
                                }
                                None => items.push(conversation),
                            }
                        }
                        sort(items);
                    });
                    inbox.next_cursor.set(page.next_cursor);
                    inbox.loaded.set(true);
                }
                Err(error) => inbox.error.set(Some(error.message())),
            }
            inbox.loading.set(false);
        });
    }

    /// Fetches the first page again and merges it in, keeping the pages already loaded (after
    /// events that may concern conversations the list does not hold).
    fn refresh(&self) {
        let inbox = *self;
        let filters = self.filters.get_untracked();
        spawn_local(async move {
            if let Ok(page) = inbox.api.conversations(&filters, PAGE, None).await {
                if inbox.filters.try_get_untracked() != Some(filters) {
                    return;
                }
                inbox.items.update(|items| {
                    // Rows the first page should hold but does not have left the selection
                    // (assigned away, answered, closed).
                    let oldest = page
                        .next_cursor
                        .is_some()
                        .then(|| page.data.last().map(activity))
                        .flatten();
                    items.retain(|item| {
                        page.data.iter().any(|c| c.id == item.id)
                            || oldest.is_some_and(|oldest| activity(item) < oldest)
                    });
                    for conversation in page.data {
                        match items.iter_mut().find(|c| c.id == conversation.id) {
                            Some(existing) => {
                                if conversation.updated_at >= existing.updated_at {
                                    *existing = conversation;
                                }
                            }
                            None => items.push(conversation),
                        }
                    }
                    sort(items);
                });
                if !inbox.loaded.get_untracked() {
                    inbox.next_cursor.set(page.next_cursor);
                    inbox.loaded.set(true);
                }
            }
        });
    }

    /// Assigns a conversation from its row (or leaves it unassigned); the row may leave the
    /// view (Mine, Unassigned), which the next read of the list settles.
    fn assign(&self, id: ConversationId, assignee_id: Option<UserId>) {
        let inbox = *self;
        let changes = UpdateConversation {
            assignee_id: Some(assignee_id),
            ..Default::default()
        };
        spawn_local(async move {
            match inbox.api.update_conversation(id, &changes).await {
                Ok(fresh) => {
                    inbox.apply(fresh);
                    inbox.refresh();
                }
                Err(failure) => {
                    inbox
                        .notice
                        .try_set(Some(format!("Not assigned: {}", failure.message())));
                    // Show the server's assignee again in the row's select.
                    inbox.items.try_update(|_| ());
                }
            }
        });
    }

    /// The path of a conversation, keeping the current filters.
    pub fn href(&self, id: ConversationId) -> String {
        format!("/c/{id}{}", self.filters.with(Filters::to_query))
    }

    /// The list's own path (no conversation open), keeping the filters.
    pub fn list_href(&self) -> String {
        format!("/{}", self.filters.with(Filters::to_query))
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let api = Api::new();
    let account = expect_context::<Account>();
    let location = use_location();
    let query = location.query;
    let filters = Memo::new(move |_| {
        query.with(|map| {
            Filters::from_pairs(
                Filters::KEYS
                    .iter()
                    .filter_map(|key| map.get(key).map(|value| (*key, value))),
            )
        })
    });
    let selected = Memo::new(move |_| {
        location.pathname.with(|path| {
            path.strip_prefix("/c/")
                .and_then(|id| id.trim_end_matches('/').parse::<ConversationId>().ok())
        })
    });
    let inbox = Inbox {
        items: RwSignal::new(Vec::new()),
        filters,
        selected,
        notice: RwSignal::new(None),
        users: RwSignal::new(Vec::new()),
        next_cursor: RwSignal::new(None),
        loading: RwSignal::new(false),
        loaded: RwSignal::new(false),
        error: RwSignal::new(None),
        generation: StoredValue::new(0),
        api,
    };
    provide_context(inbox);
    spawn_local(async move {
        if let Ok(users) = api.users().await {
            inbox.users.try_set(users);
        }
    });

    // The tab says how many customer messages wait unread in the list, so a person working
    // in another tab sees new ones come in.
    Effect::new(move |_| {
        let unread: i64 = inbox
            .items
            .with(|items| items.iter().map(|c| i64::from(c.unread_count.max(0))).sum());
        crate::util::set_unread_total(u32::try_from(unread).unwrap_or(u32::MAX));
    });
    on_cleanup(|| crate::util::set_unread_total(0));

    // The filters in the URL select the list: load again whenever they change.
    Effect::new(move |previous: Option<Filters>| {
        let current = filters.get();
        if previous.as_ref() != Some(&current) {
            inbox.reload();
        }
        current
    });

    // Live updates.
    let refresh_later = Debouncer::new(Duration::from_millis(400));
    feed::subscribe(move |message| match message {
        FeedMessage::Event(
            FeedPayload::ConversationCreated(conversation)
            | FeedPayload::ConversationUpdated(conversation)
            | FeedPayload::ContactIdentified(ContactIdentified { conversation, .. }),
        ) => {
            // Shown at once; read again shortly for what the event cannot say: this person's
            // unread count, and whether the row still belongs to the view.
            inbox.apply_from_feed(conversation.clone());
            refresh_later.call(move || inbox.refresh());
        }
        // An opt-out changes the marker of rows the event does not carry.
        FeedMessage::Resync | FeedMessage::Event(FeedPayload::OptOutChanged(_)) => {
            refresh_later.call(move || inbox.refresh())
        }
        _ => {}
    });

    feed::poll_while_offline(Duration::from_secs(15), move || inbox.refresh());

    let navigate = use_navigate();
    let set_filters = {
        let navigate = navigate.clone();
        move |next: Filters| {
            let path = location.pathname.get_untracked();
            navigate(
                &format!("{path}{}", next.to_query()),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };

    let start_open = RwSignal::new(false);
    let simulate_open = RwSignal::new(false);
    let filters_open = RwSignal::new(filters.get_untracked().active_count() > 0);
    let export_status = RwSignal::new(None::<(bool, String)>);
    let exporting = RwSignal::new(false);

    let export = move |_| {
        if exporting.get_untracked() {
            return;
        }
        exporting.set(true);
        export_status.set(None);
        let selection = filters.get_untracked();
        spawn_local(async move {
            match api.export_csv(&selection).await {
                Ok((bytes, name)) => match download(&bytes, &name) {
                    Ok(()) => export_status.set(Some((true, format!("Downloaded {name}")))),
                    Err(message) => export_status.set(Some((false, message))),
                },
                Err(error) => export_status.set(Some((false, error.message()))),
            }
            exporting.set(false);
        });
    };

    let on_started = {
        let navigate = navigate.clone();
        Callback::new(move |started: parley::wire::StartedConversation| {
            start_open.set(false);
            let id = started.conversation.id;
            let resumed = started.resumed;
            inbox.apply(started.conversation);
            inbox.notice.set(Some(if resumed {
                "The customer already had an active conversation: your message was added to it."
                    .to_string()
            } else {
                "Conversation started.".to_string()
            }));
            navigate(&inbox.href(id), NavigateOptions::default());
        })
    };

    // j / k (or Alt+↓ / Alt+↑) open the next / previous conversation of the list from
    // anywhere on the page but a text field.
    let keys = {
        let navigate = navigate.clone();
        window_event_listener(leptos::ev::keydown, move |event| {
            let Some(forward) = crate::util::list_step(&event) else {
                return;
            };
            let next = inbox.items.with_untracked(|items| {
                crate::util::neighbour(items, |c| c.id, selected.get_untracked(), forward)
            });
            if let Some(id) = next {
                event.prevent_default();
                navigate(&inbox.href(id), NavigateOptions::default());
            }
        })
    };
    on_cleanup(move || keys.remove());

    let has_selection = move || selected.get().is_some();

    view! {
        <div class="inbox" class:has-selection=has_selection>
            <section class="list-pane" aria-labelledby="inbox-title">
                <div class="list-head">
                    <h1 id="inbox-title">"Conversations"</h1>
                    <button
                        id="start-conversation"
                        type="button"
                        class="primary small"
                        on:click=move |_| start_open.set(true)
                    >
                        "Start conversation"
                    </button>
                </div>
                <SearchBox filters=filters set_filters=set_filters.clone() />
                <ViewTabs filters=filters set_filters=set_filters.clone() />
                <div class="list-actions">
                    <button
                        id="filters-toggle"
                        type="button"
                        class="secondary small"
                        aria-expanded=move || filters_open.get().to_string()
                        aria-controls="filters"
                        on:click=move |_| filters_open.update(|open| *open = !*open)
                    >
                        "Filters"
                        {move || {
                            let count = filters.with(Filters::active_count);
                            (count > 0)
                                .then(|| {
                                    view! {
                                        <span class="count" aria-label=format!("{count} active")>
                                            {count}
                                        </span>
                                    }
                                })
                        }}
                    </button>
                    <button
                        id="export-csv"
                        type="button"
                        class="secondary small"
                        on:click=export
                        disabled=move || exporting.get()
                        aria-busy=move || exporting.get().to_string()
                    >
                        {move || if exporting.get() { "Exporting…" } else { "Export CSV" }}
                    </button>
                    <Show when=move || account.simulator.get()>
                        <button
                            id="simulate-inbound"
                            type="button"
                            class="secondary small"
                            on:click=move |_| simulate_open.set(true)
                        >
                            "Simulate inbound SMS"
                        </button>
                    </Show>
                </div>
                <Show when=move || filters_open.get()>
                    <FilterPanel filters=filters set_filters=set_filters.clone() />
                </Show>
                {move || {
                    export_status
                        .get()
                        .map(|(ok, message)| {
                            view! {
                                <p
                                    id="export-status"
                                    class=if ok { "notice" } else { "error" }
                                    role=if ok { "status" } else { "alert" }
                                >
                                    {message}
                                </p>
                            }
                        })
                }}
                {move || {
                    inbox
                        .notice
                        .get()
                        .map(|message| {
                            view! {
                                <p id="inbox-notice" class="notice" role="status">
                                    {message}
                                    <button
                                        type="button"
                                        class="link-button"
                                        aria-label="Dismiss"
                                        on:click=move |_| inbox.notice.set(None)
                                    >
                                        "×"
                                    </button>
                                </p>
                            }
                        })
                }}
                <ConversationList inbox=inbox />
            </section>
            <section class="conversation-pane" aria-label="Conversation">
                <Outlet />
            </section>
        </div>
        <Show when=move || start_open.get()>
            <StartDialog on_close=Callback::new(move |_| start_open.set(false)) on_started=on_started />
        </Show>
        <Show when=move || simulate_open.get()>
            <SimulateDialog
                on_close=Callback::new(move |_| simulate_open.set(false))
                on_sent=Callback::new(move |_| inbox.refresh())
            />
        </Show>
    }
}

/// The views of the list (All, Open, Mine, Unassigned, Needs a person, Closed): one click
/// sets the status, assignee and handoff filters together; the search stays.
#[component]
fn ViewTabs<F>(filters: Memo<Filters>, set_filters: F) -> impl IntoView
where
    F: Fn(Filters) + Clone + Send + Sync + 'static,
{
    let current = Memo::new(move |_| filters.with(View::of));
    view! {
        <nav class="views" aria-label="Views">
            {View::ALL
                .into_iter()
                .map(|view| {
                    let set_filters = set_filters.clone();
                    view! {
                        <button
                            id=view.id()
                            type="button"
                            class="view-tab"
                            aria-pressed=move || (current.get() == Some(view)).to_string()
                            on:click=move |_| set_filters(view.apply(&filters.get_untracked()))
                        >
                            {view.label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// Saves bytes as a file through a temporary object URL (a plain link could not send the
/// bearer token).
fn download(bytes: &[u8], name: &str) -> Result<(), String> {
    let fail = |_| "The browser could not save the file.".to_string();
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = leptos::prelude::document();
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_attribute("hidden", "").map_err(fail)?;
    let body = document.body().ok_or("The page has no body.")?;
    body.append_child(&anchor).map_err(fail)?;
    anchor.click();
    anchor.remove();
    leptos::leptos_dom::helpers::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(30),
    );
    Ok(())
}

#[component]
fn SearchBox<F>(filters: Memo<Filters>, set_filters: F) -> impl IntoView
where
    F: Fn(Filters) + Clone + Send + Sync + 'static,
{
    let text = RwSignal::new(filters.get_untracked().q);
    let input = NodeRef::<leptos::html::Input>::new();
    let debouncer = Debouncer::new(Duration::from_millis(300));
    // The URL changed by itself (back button, a shared link): show its search text, unless
    // the person is typing in the box.
    Effect::new(move |_| {
        let q = filters.with(|f| f.q.clone());
        let typing = input.get_untracked().is_some_and(|element| {
            let element: &web_sys::Element = element.as_ref();
            leptos::prelude::document()
                .active_element()
                .is_some_and(|active| &active == element)
        });
        if !typing && text.get_untracked() != q {
            text.set(q);
        }
    });
    let on_input = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        text.set(value.clone());
        let set_filters = set_filters.clone();
        debouncer.call(move || {
            let mut next = filters.get_untracked();
            if next.q != value.trim() {
                next.q = value.trim().to_string();
                set_filters(next);
            }
        });
    };
    view! {
        <div class="search" role="search">
            <label for="search" class="visually-hidden">
                "Search conversations by phone, name or company"
            </label>
            <input
                id="search"
                type="search"
                node_ref=input
                placeholder="Search phone, name or company"
                autocomplete="off"
                prop:value=move || text.get()
                on:input=on_input
            />
        </div>
    }
}

/// A filter over a wire enum: what it selects, and how a choice changes the filters (the URL
/// holds the value's wire name, or nothing for "Any").
fn enum_filter<T: Choice>(
    filters: Memo<Filters>,
    set_filters: impl Fn(Filters) + Send + Sync + 'static,
    key: &'static str,
) -> (Signal<Option<T>>, Callback<Option<T>>) {
    let selected = Signal::derive(move || filters.with(|f| T::from_value(f.get(key))));
    let on_change = Callback::new(move |choice: Option<T>| {
        let mut next = filters.get_untracked();
        next.set(
            key,
            choice.map(|c| c.value().to_string()).unwrap_or_default(),
        );
        set_filters(next);
    });
    (selected, on_change)
}

#[component]
fn FilterPanel<F>(filters: Memo<Filters>, set_filters: F) -> impl IntoView
where
    F: Fn(Filters) + Clone + Send + Sync + 'static,
{
    let clear_with = set_filters.clone();
    let change_date = |key: &'static str| {
        let set_filters = set_filters.clone();
        move |event: leptos::ev::Event| {
            let mut next = filters.get_untracked();
            next.set(key, event_target_value(&event));
            set_filters(next);
        }
    };
    let (qualification, on_qualification) =
        enum_filter::<QualificationStatus>(filters, set_filters.clone(), "qualification_status");
    let (channel, on_channel) = enum_filter::<Channel>(filters, set_filters.clone(), "channel");
    let (status, on_status) =
        enum_filter::<ConversationStatus>(filters, set_filters.clone(), "status");
    let set_clear = {
        move |_| {
            let q = filters.get_untracked().q;
            clear_with(Filters {
                q,
                ..Filters::default()
            })
        }
    };
    view! {
        <fieldset id="filters" class="filters">
            <legend class="visually-hidden">"Filters"</legend>
            <div class="field">
                <label for="filter-from">"Active from"</label>
                <input
                    id="filter-from"
                    type="date"
                    max=today()
                    prop:value=move || filters.with(|f| f.from.clone())
                    on:change=change_date("from")
                />
            </div>
            <div class="field">
                <label for="filter-to">"Active until"</label>
                <input
                    id="filter-to"
                    type="date"
                    max=today()
                    prop:value=move || filters.with(|f| f.to.clone())
                    on:change=change_date("to")
                />
            </div>
            <div class="field">
                <label for="filter-qualification">"Qualification"</label>
                <EnumSelect
                    id="filter-qualification"
                    none="Any"
                    selected=qualification
                    on_change=on_qualification
                />
            </div>
            <div class="field">
                <label for="filter-channel">"Channel"</label>
                <EnumSelect id="filter-channel" none="Any" selected=channel on_change=on_channel />
            </div>
            <div class="field">
                <label for="filter-status">"Status"</label>
                <EnumSelect id="filter-status" none="Any" selected=status on_change=on_status />
            </div>
            <button id="filters-clear" type="button" class="link-button" on:click=set_clear>
                "Clear filters"
            </button>
        </fieldset>
    }
}

#[component]
fn ConversationList(inbox: Inbox) -> impl IntoView {
    let scroller = NodeRef::<leptos::html::Div>::new();
    // Loads the next page when the end of the list comes near.
    let near_end = move || {
        // Runs in an animation frame, which may come after the page is gone.
        if let Some(element) = scroller.try_get_untracked().flatten() {
            let remaining =
                element.scroll_height() - element.scroll_top() - element.client_height();
            if remaining < 240 {
                inbox.load_more();
            }
        }
    };
    // A first page shorter than the pane shows no scroll bar: fetch more until it fills.
    Effect::new(move |_| {
        inbox.items.track();
        if inbox.loaded.get() && !inbox.loading.get() && inbox.next_cursor.with(Option::is_some) {
            leptos::leptos_dom::helpers::request_animation_frame(near_end);
        }
    });

    view! {
        <p id="list-keys" class="visually-hidden">
            "Use the up and down arrow keys to move between conversations; j and k open the next and previous one from anywhere."
        </p>
        <div class="list-scroll" node_ref=scroller on:scroll=move |_| near_end()>
            {move || {
                let empty = inbox.items.with(Vec::is_empty);
                if empty && inbox.loading.get() {
                    view! {
                        <p id="list-loading" class="placeholder" aria-live="polite">
                            "Loading conversations…"
                        </p>
                    }
                        .into_any()
                } else if empty && inbox.loaded.get() {
                    if inbox.filters.with(Filters::is_empty) {
                        view! {
                            <p id="list-empty" class="placeholder">
                                "No conversations yet. Start one, or wait for a customer to text you."
                            </p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <p id="list-empty" class="placeholder">
                                "No conversation matches this search and these filters."
                            </p>
                        }
                            .into_any()
                    }
                } else {
                    ().into_any()
                }
            }}
            <ul
                id="conversation-list"
                class="conversation-list"
                aria-label="Conversations"
                aria-describedby="list-keys"
                on:keydown=move_focus
            >
                <For
                    each=move || inbox.items.get()
                    key=|c| (c.id, c.updated_at, c.unread_count, c.last_message_at)
                    let:conversation
                >
                    <ConversationRow conversation=conversation inbox=inbox />
                </For>
            </ul>
            <RetryError
                id="list-error"
                error=inbox.error
                on_retry=Callback::new(move |_| {
                    if inbox.loaded.get_untracked() { inbox.load_more() } else { inbox.reload() }
                })
            />
            <Show when=move || {
                inbox.next_cursor.with(Option::is_some) && inbox.error.with(Option::is_none)
            }>
                <button
                    id="load-more"
                    type="button"
                    class="secondary small load-more"
                    on:click=move |_| inbox.load_more()
                    disabled=move || inbox.loading.get()
                >
                    {move || if inbox.loading.get() { "Loading…" } else { "Load more" }}
                </button>
            </Show>
        </div>
    }
}

/// Up and down arrows move between the rows of the list (Tab still leaves it).
fn move_focus(event: leptos::ev::KeyboardEvent) {
    let forward = match event.key().as_str() {
        "ArrowDown" => true,
        "ArrowUp" => false,
        _ => return,
    };
    let Some(row) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        // The arrows of a row's assignee choice are its own.
        .filter(|element| element.tag_name() == "A")
        .and_then(|element| element.closest("li").ok().flatten())
    else {
        return;
    };
    let sibling = if forward {
        row.next_element_sibling()
    } else {
        row.previous_element_sibling()
    };
    if let Some(link) = sibling
        .and_then(|li| li.query_selector("a").ok().flatten())
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        event.prevent_default();
        let _ = link.focus();
    }
}

#[component]
fn ConversationRow(conversation: Conversation, inbox: Inbox) -> impl IntoView {
    let id = conversation.id;
    // The tenant's people read their own country's numbers nationally.
    let phone = crate::util::phone_for_people(&conversation.phone_number);
    let href = move || inbox.href(id);
    let current = move || (inbox.selected.get() == Some(id)).then_some("page");
    let title = conversation
        .contact_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| phone.clone());
    let named = conversation
        .contact_name
        .as_deref()
        .is_some_and(|name| !name.trim().is_empty());
    let time = conversation.last_message_at.map(|at| {
        view! {
            <time datetime=at.to_rfc3339() title=local_time(at)>
                {list_time(at)}
            </time>
        }
    });
    let unread = conversation.unread_count;
    // Follows the list, so a refused change shows the server's assignee again.
    let assignee = Signal::derive(move || {
        inbox.items.with(|items| {
            items
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| c.assignee_id)
        })
    });
    let assign_label = format!("Assigned to, {title}");
    view! {
        <li class="conv-item">
            <a
                class="conv-row"
                class:unread={unread > 0}
                href=href
                aria-current=current
                data-testid="conversation-row"
                data-id=id.to_string()
                data-phone=conversation.phone_number.clone()
            >
                <span class="row-top">
                    <span class="name" data-testid="conversation-name">
                        {title}
                    </span>
                    {time}
                </span>
                <span class="row-sub">
                    {conversation
                        .company
                        .clone()
                        .filter(|c| !c.trim().is_empty())
                        .map(|company| view! { <span class="company">{company}</span> })}
                    {named
                        .then(|| {
                            view! {
                                <span class="phone" data-testid="conversation-phone">
                                    {phone.clone()}
                                </span>
                            }
                        })}
                </span>
                <span class="row-bottom">
                    <span class="preview" data-testid="conversation-preview">
                        {crate::util::list_preview(&conversation)}
                    </span>
                    <span class="chips">
                        {conversation
                            .delivery_failed
                            .then(|| {
                                view! {
                                    <span
                                        class="chip danger"
                                        data-testid="failed-chip"
                                        title="The last message sent here failed: open the conversation to retry it"
                                    >
                                        "Failed"
                                    </span>
                                }
                            })}
                        {conversation
                            .needs_human
                            .then(|| {
                                view! {
                                    <span
                                        class="chip attention"
                                        data-testid="needs-person"
                                        title=conversation.handoff_reason.clone().unwrap_or_default()
                                    >
                                        "Needs a person"
                                    </span>
                                }
                            })}
                        {conversation
                            .opted_out
                            .then(|| view! { <span class="chip danger">"Opted out"</span> })}
                        {(!conversation.ai_enabled)
                            .then(|| view! { <span class="chip">"AI off"</span> })}
                        {(conversation.ai_enabled
                            && conversation.ai_paused_until.is_some_and(|until| until > crate::util::now()))
                            .then(|| view! { <span class="chip">"AI paused"</span> })}
                        {(conversation.qualification_status != QualificationStatus::New)
                            .then(|| {
                                view! {
                                    <span class="chip">
                                        {qualification_label(conversation.qualification_status)}
                                    </span>
                                }
                            })}
                        {(conversation.status == ConversationStatus::Closed)
                            .then(|| view! { <span class="chip">"Closed"</span> })}
                        {(unread > 0)
                            .then(|| {
                                view! {
                                    <span class="badge" data-testid="unread-badge">
                                        {unread}
                                        <span class="visually-hidden">" unread"</span>
                                    </span>
                                }
                            })}
                    </span>
                </span>
            </a>
            // Beside the link, not in it: a control inside a link is neither valid nor usable.
            <AssigneeSelect
                class="row-assign"
                test_id="row-assignee"
                label=assign_label
                users=inbox.users
                assignee=assignee
                on_change=Callback::new(move |assignee_id| inbox.assign(id, assignee_id))
            />
        </li>
    }
}

/// The pane beside the list when no conversation is open.
#[component]
pub fn NoSelection() -> impl IntoView {
    crate::util::set_title("Inbox");
    view! {
        <div id="no-selection" class="empty-pane">
            <p>"Choose a conversation on the left, or start a new one."</p>
        </div>
    }
}
