//! One conversation: the header (who, assignment, AI switch, close, the Demo menu), the
//! messages with their delivery state and the composer with optimistic sending, and the
//! contact panel beside them (client record, qualification, assistant, guide, earlier
//! conversations, interactions). What it shows lives in a [`ConversationStore`]; each part
//! follows the store on its own.

mod contact_panel;
mod controls;
mod demo_menu;
mod header;
mod messages;
mod scheduled;
mod store;

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use parley::wire::ConversationId;
use wasm_bindgen::JsCast;

use crate::components::composer::Composer;
use crate::components::guide_dialog::GuideDialog;
use crate::components::simulate_dialog::SimulateDialog;
use crate::feed;
use contact_panel::{ContactPanel, Panel};
use header::ConversationHeader;
use messages::MessageList;
use store::ConversationStore;

/// The route `/c/:id`: a fresh view for each conversation.
#[component]
pub fn ConversationRoute() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| p.get("id").and_then(|id| id.parse::<ConversationId>().ok()))
    });
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

#[component]
fn ConversationView(id: ConversationId) -> impl IntoView {
    let store = ConversationStore::new(id);
    // Pictures fetched once while the conversation is open, released when it closes.
    crate::media::MediaCache::provide();
    store.load();
    feed::subscribe(move |message| store.apply_feed(message));
    feed::poll_while_offline(Duration::from_secs(10), move || store.refresh());

    // The tab says whose conversation this is; on a phone, where the list just disappeared,
    // focus moves to the conversation's title so keyboard and screen reader users follow.
    Effect::new(move |focused: Option<bool>| {
        let Some(title) = store.title() else {
            return false;
        };
        crate::util::set_title(&title);
        if focused != Some(true) {
            focus_title_if_lost();
        }
        true
    });

    let guide_open = RwSignal::new(false);
    let simulate_open = RwSignal::new(false);
    let panel = Panel::restore();

    view! {
        <article class="conversation" aria-labelledby="conv-title" data-id=id.to_string()>
            {move || {
                store
                    .load_error
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
            <ConversationHeader
                store=store
                panel=panel
                on_simulate=Callback::new(move |_| simulate_open.set(true))
            />
            <div class="conv-body">
                <div class="conv-thread">
                    <MessageList store=store />
                    <Composer
                        conversation=id
                        details=store.conversation
                        blocked=Signal::derive(move || store.blocked())
                        on_send=Callback::new(move |(text, media, send_at)| store.send(text, media, send_at))
                        media_error=store.media_error
                        on_note=Callback::new(move |text| store.add_note(text))
                    />
                </div>
                <ContactPanel
                    store=store
                    panel=panel
                    on_guide=Callback::new(move |_| guide_open.set(true))
                />
            </div>
        </article>
        <Show when=move || guide_open.get()>
            <GuideDialog
                conversation_id=id
                on_close=Callback::new(move |_| guide_open.set(false))
                on_change=Callback::new(move |set: bool| store.has_guide.set(Some(set)))
            />
        </Show>
        <Show when=move || simulate_open.get()>
            <SimulateDialog
                on_close=Callback::new(move |_| simulate_open.set(false))
                from=store.conversation.get_untracked().map(|c| c.phone_number).unwrap_or_default()
                on_sent=Callback::new(move |_| store.refresh())
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
