//! The sign-in form.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::form::{ErrorLine, SubmitButton};
use crate::{api, Session};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let navigate = use_navigate();
    crate::util::set_title("Sign in");

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (email, password) = (email.get_untracked(), password.get_untracked());
        if email.trim().is_empty() || password.is_empty() {
            error.set(Some("Enter your email and password.".to_string()));
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::login(email.trim(), &password).await {
                Ok(answer) => {
                    session.sign_in(answer.access_token);
                    navigate("/", NavigateOptions::default());
                }
                Err(failure) => error.set(Some(failure.message())),
            }
            pending.set(false);
        });
    };

    view! {
        <Show when=move || session.token().is_some()>
            <Redirect path="/" />
        </Show>
        <main class="page narrow">
            <h1>"Sign in to Parley"</h1>
            <form class="card stack" on:submit=on_submit novalidate>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        inputmode="email"
                        required
                        bind:value=email
                    />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        bind:value=password
                    />
                </div>
                <ErrorLine id="login-error" error=error />
                <SubmitButton id="sign-in" label="Sign in" pending_label="Signing in…" pending=pending />
            </form>
        </main>
    }
}
