//! The "Demo" menu of the simulator mode: play this conversation's customer through the
//! built-in carrier simulator, which posts the signed webhook Telnyx would: a reply of your
//! own, or the opt-out keywords.
//!
//! A disclosure (a button and the list it shows): Escape closes it and gives the focus back
//! to the button, as does leaving it with the keyboard or clicking elsewhere.

use leptos::leptos_dom::helpers::request_animation_frame;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::store::ConversationStore;
use crate::api::Api;
use crate::components::disclosure::Disclosure;

#[component]
pub fn DemoMenu(
    store: ConversationStore,
    /// Opens the dialog where the person writes the customer's reply.
    on_simulate: Callback<()>,
) -> impl IntoView {
    let api = Api::new();
    let menu = Disclosure::new();
    let (open, wrapper, button) = (menu.open, menu.wrapper, menu.button);
    let opted_out = move || store.read(|c| c.opted_out).unwrap_or(false);

    let close = move |refocus: bool| menu.close(refocus);
    let contains = move |node: &web_sys::Node| menu.contains(node);
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
        <div class="demo-menu" node_ref=wrapper on:keydown=move |event| menu.on_keydown(event) on:focusout=on_focusout>
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
