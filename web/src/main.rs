//! Parley's single-page app: mounted on `<body>`, served by the API from the same origin.

mod api;
mod pages;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The signed-in state, shared through context: the access token or `None`.
#[derive(Clone, Copy)]
pub struct Session {
    token: RwSignal<Option<String>>,
}

impl Session {
    fn restore() -> Self {
        Session {
            token: RwSignal::new(api::stored_token()),
        }
    }

    /// The current token (tracked: readers re-run when it changes).
    pub fn token(&self) -> Option<String> {
        self.token.get()
    }

    pub fn sign_in(&self, token: String) {
        api::store_token(Some(&token));
        self.token.set(Some(token));
    }

    pub fn sign_out(&self) {
        api::store_token(None);
        self.token.set(None);
    }
}

#[component]
fn App() -> impl IntoView {
    provide_context(Session::restore());
    view! {
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::home::HomePage />
                <Route path=path!("/login") view=pages::login::LoginPage />
            </Routes>
        </Router>
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}
