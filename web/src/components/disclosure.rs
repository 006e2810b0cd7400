//! A disclosure: a button and the menu it shows. Escape closes it and gives the focus back to
//! the button, a press outside closes it, and opening it puts the focus on its first
//! `.menu-item`, so the keyboard goes on from there.

use leptos::leptos_dom::helpers::request_animation_frame;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[derive(Clone, Copy)]
pub struct Disclosure {
    pub open: RwSignal<bool>,
    /// The element holding the button and the menu.
    pub wrapper: NodeRef<leptos::html::Div>,
    pub button: NodeRef<leptos::html::Button>,
}

impl Disclosure {
    /// A closed disclosure, listening for presses outside it while the component lives.
    pub fn new() -> Disclosure {
        let disclosure = Disclosure {
            open: RwSignal::new(false),
            wrapper: NodeRef::new(),
            button: NodeRef::new(),
        };
        let outside = window_event_listener(leptos::ev::pointerdown, move |event| {
            if disclosure.open.try_get_untracked() != Some(true) {
                return;
            }
            let target = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            if !target.is_some_and(|node| disclosure.contains(&node)) {
                disclosure.open.set(false);
            }
        });
        on_cleanup(move || outside.remove());
        Effect::new(move |_| {
            if disclosure.open.get() {
                request_animation_frame(move || {
                    let first = disclosure
                        .wrapper
                        .get_untracked()
                        .and_then(|w| w.query_selector(".menu-item").ok().flatten())
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                    if let Some(first) = first {
                        let _ = first.focus();
                    }
                });
            }
        });
        disclosure
    }

    /// Closes the menu; `refocus` gives the focus back to the button.
    pub fn close(self, refocus: bool) {
        self.open.set(false);
        if refocus {
            if let Some(button) = self.button.get_untracked() {
                let _ = button.focus();
            }
        }
    }

    /// Whether `node` is the button, the menu or inside them.
    pub fn contains(self, node: &web_sys::Node) -> bool {
        self.wrapper
            .get_untracked()
            .is_some_and(|wrapper| wrapper.contains(Some(node)))
    }

    /// The wrapper's keydown handler: Escape closes an open menu.
    pub fn on_keydown(self, event: leptos::ev::KeyboardEvent) {
        if event.key() == "Escape" && self.open.get_untracked() {
            event.prevent_default();
            event.stop_propagation();
            self.close(true);
        }
    }
}
