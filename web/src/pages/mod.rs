//! One module per screen.

pub mod assistants;
pub mod canned_replies;
pub mod clients;
pub mod conversation;
pub mod diagnostics;
pub mod inbox;
pub mod login;
pub mod settings;
pub mod usage;

use leptos::prelude::*;

/// Any path the router does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="page narrow">
            <h1>"Page not found"</h1>
            <p>
                <a href="/">"Go to the inbox"</a>
            </p>
        </main>
    }
}
