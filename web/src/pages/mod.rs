//! One module per screen.

pub mod home;
pub mod login;

use leptos::prelude::*;

/// Any path the router does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="page narrow">
            <h1>"Page not found"</h1>
            <p>
                <a href="/">"Go to the start page"</a>
            </p>
        </main>
    }
}
