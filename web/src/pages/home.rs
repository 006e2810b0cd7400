//! The signed-in start page: who am I, in which tenant, and a way out.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use parley::wire::Me;

use crate::{api, Session};

#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();

    let me = LocalResource::new(move || {
        let token = session.token();
        async move {
            match token {
                Some(token) => api::me(&token).await.map(Some),
                None => Ok(None),
            }
        }
    });

    // A token the server no longer accepts: forget it, which sends us to the sign-in page.
    Effect::new(move |_| {
        if let Some(Err(failure)) = me.get() {
            if failure.is_unauthorized() {
                session.sign_out();
            }
        }
    });

    let sign_out = move |_| {
        session.sign_out();
        navigate("/login", NavigateOptions::default());
    };

    view! {
        <Show when=move || session.token().is_none()>
            <Redirect path="/login" />
        </Show>
        <header class="topbar">
            <span class="brand">"Parley"</span>
            <button id="sign-out" type="button" class="secondary" on:click=sign_out>
                "Sign out"
            </button>
        </header>
        <main class="page">
            <h1>"Welcome"</h1>
            {move || match me.get() {
                None => view! { <p aria-live="polite">"Loading your account…"</p> }.into_any(),
                Some(Ok(Some(me))) => view! { <Account me=me /> }.into_any(),
                Some(Ok(None)) => ().into_any(),
                Some(Err(failure)) => {
                    view! {
                        <p id="me-error" class="error" role="alert">
                            {failure.message()}
                        </p>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}

#[component]
fn Account(me: Me) -> impl IntoView {
    let email = me
        .user
        .as_ref()
        .map(|user| user.email.clone())
        .or_else(|| {
            me.api_key
                .as_ref()
                .map(|key| format!("API key “{}”", key.name))
        })
        .unwrap_or_default();
    view! {
        <dl class="card facts">
            <dt>"Organisation"</dt>
            <dd id="me-tenant">{me.tenant.name}</dd>
            <dt>"Email"</dt>
            <dd id="me-email">{email}</dd>
            <dt>"Role"</dt>
            <dd id="me-role">{me.role.as_str()}</dd>
        </dl>
    }
}
