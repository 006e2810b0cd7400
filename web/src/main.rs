//! Parley's single-page app: mounted on `<body>`, served by the API from the same origin.

mod api;
mod components;
mod feed;
mod media;
mod notifications;
mod pages;
mod util;
mod zones;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
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

    /// The current token, without tracking.
    pub fn token_untracked(&self) -> Option<String> {
        self.token.get_untracked()
    }

    pub fn sign_in(&self, token: String) {
        api::store_token(Some(&token));
        self.token.set(Some(token));
    }

    pub fn sign_out(&self) {
        api::store_token(None);
        if self.token.get_untracked().is_some() {
            self.token.set(None);
        }
    }
}

#[component]
fn App() -> impl IntoView {
    provide_context(Session::restore());
    view! {
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/login") view=pages::login::LoginPage />
                <ParentRoute path=path!("") view=components::shell::Shell>
                    <ParentRoute path=path!("") view=pages::inbox::InboxPage>
                        <Route path=path!("") view=pages::inbox::NoSelection />
                        <Route path=path!("c/:id") view=pages::conversation::ConversationRoute />
                    </ParentRoute>
                    <Route path=path!("assistants") view=pages::assistants::AssistantsPage />
                    <Route path=path!("clients") view=pages::clients::ClientsPage />
                    <Route
                        path=path!("canned-replies")
                        view=pages::canned_replies::CannedRepliesPage
                    />
                    <Route path=path!("settings") view=pages::settings::SettingsPage />
                    <Route path=path!("diagnostics") view=pages::diagnostics::DiagnosticsPage />
                    <Route path=path!("usage") view=pages::usage::UsagePage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

fn main() {
    // A panic in wasm otherwise reaches the console as a bare "unreachable": say what and
    // where, so that a report (or a browser test) shows it.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("Parley: {info}").into());
    }));
    leptos::mount::mount_to_body(App);
}
