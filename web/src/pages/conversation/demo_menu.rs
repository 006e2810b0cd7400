//! The "Demo" menu of the simulator mode: play this conversation's customer through the
//! built-in carrier simulator, which posts the signed webhook Telnyx would: a reply of your
//! own, or the opt-out keywords.
//!
//! A disclosure (a button and the list it shows): Escape closes it and gives the focus back
//! to the button, as does leaving it with the keyboard or clicking elsewhere.

use leptos::leptos_dom::helpers::request_animation_frame;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::store::ConversationStore;
use crate::api::Api;

#[component]
pub fn DemoMenu(
    store: ConversationStore,
    /// Opens the dialog where the person writes the customer's reply.
    on_simulate: Callback<()>,
) -> impl IntoView {
    let api = Api::new();
    let open = RwSignal::new(false);
    let wrapper = NodeRef::<leptos::html::Div>::new();
    let button = NodeRef::<leptos::html::Button>::new();
    let opted_out = move || store.read(|c| c.opted_out).unwrap_or(false);

    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    let contains = move |node: &web_sys::Node| {
        wrapper
            .get_untracked()
            .is_some_and(|wrapper| wrapper.contains(Some(node)))
    };
    let outside = window_event_listener(leptos::ev::pointerdown, move |event| {
        if open.try_get_untracked() != Some(true) {
            return;
        }
        let target = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        if !target.is_some_and(|node| contains(&node)) {
            open.set(false);
        }
    });
    on_cleanup(move || outside.remove());
    // Opened: the first item takes the focus, so the keyboard goes on from there.
    Effect::new(move |_| {
        if open.get() {
            request_animation_frame(move || {
                let first = wrapper
                    .get_untracked()
                    .and_then(|w| w.query_selector(".menu-item").ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(first) = first {
                    let _ = first.focus();
                }
            });
        }
    });
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" && open.get_untracked() {
            event.prevent_default();
            event.stop_propagation();
            close(true);
        }
    };
    // Tabbing out of the menu closes it (a click elsewhere is the listener above).
    let on_focusout = move |_| {
        request_animation_frame(move || {
            let active = document().active_element();
            if let Some(active) = active.filter(|a| a.tag_name() != "BODY") {
                if !contains(&active) {
                    open.try_set(false);
                }
            }
        });
    };
    let text_as_customer = move |text: &'static str| {
        close(true);
        let Some(from) = store
            .conversation
            .with_untracked(|c| c.as_ref().map(|c| c.phone_number.clone()))
        else {
            return;
        };
        store.header_error.set(None);
        spawn_local(async move {
            match api.simulate_inbound(&from, text, &[]).await {
                // The feed brings the message; a refresh shows it while the feed is down.
                Ok(()) => store.refresh(),
                Err(failure) => {
                    store.header_error.try_set(Some(failure.message()));
                }
            }
        });
    };
    view! {
        <div class="demo-menu" node_ref=wrapper on:keydown=on_keydown on:focusout=on_focusout>
            <button
                id="demo-menu"
                type="button"
                class="secondary small"
                node_ref=button
                aria-expanded=move || open.get().to_string()
                aria-controls="demo-menu-items"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Demo"
                <span aria-hidden="true">" ▾"</span>
            </button>
            <Show when=move || open.get()>
                <div id="demo-menu-items" class="menu-popover">
                    <p class="menu-note">"Play the customer (simulator)"</p>
                    <button
                        id="simulate-reply"
                        type="button"
                        class="menu-item"
                        on:click=move |_| {
                            close(true);
                            on_simulate.run(());
                        }
                    >
                        "Customer replies…"
                    </button>
                    <Show
                        when=opted_out
                        fallback=move || {
                            view! {
                                <button
                                    id="demo-stop"
                                    type="button"
                                    class="menu-item"
                                    on:click=move |_| text_as_customer("STOP")
                                >
                                    "Customer texts STOP"
                                </button>
                            }
                        }
                    >
                        <button
                            id="demo-start"
                            type="button"
                            class="menu-item"
                            on:click=move |_| text_as_customer("START")
                        >
                            "Customer texts START"
                        </button>
                    </Show>
                </div>
            </Show>
        </div>
    }
}
