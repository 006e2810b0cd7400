//! The signed-in frame: top bar (navigation, live-feed state, account), the feed, and the
//! account and simulator facts other pages read from context.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use parley::wire::{Me, Role};

use crate::api::Api;
use crate::components::canned::CannedReplies;
use crate::components::settings::TenantSettings;
use crate::feed::{self, Feed, FeedState};
use crate::Session;

/// Who is signed in (`None` while loading), from context.
#[derive(Clone, Copy)]
pub struct Account {
    pub me: RwSignal<Option<Me>>,
    /// Whether the built-in carrier simulator plays Telnyx (offers "simulate inbound SMS").
    pub simulator: RwSignal<bool>,
}

impl Account {
    pub fn is_admin(&self) -> bool {
        self.me
            .with(|me| me.as_ref().is_some_and(|me| me.role == Role::Admin))
    }
}

#[component]
pub fn Shell() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        {move || match session.token() {
            None => view! { <Redirect path="/login" /> }.into_any(),
            Some(token) => view! { <SignedIn token=token /> }.into_any(),
        }}
    }
}

#[component]
fn SignedIn(token: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let api = Api::new();
    let account = Account {
        me: RwSignal::new(None),
        simulator: RwSignal::new(false),
    };
    provide_context(account);
    let feed = feed::start(token);
    provide_context(feed);
    let open = {
        let navigate = use_navigate();
        Callback::new(move |path: String| navigate(&path, NavigateOptions::default()))
    };
    let me = Signal::derive(move || {
        account.me.with(|me| {
            me.as_ref()
                .and_then(|me| me.user.as_ref().map(|user| user.id))
        })
    });
    crate::notifications::start(me, open);
    // Loaded when first needed, then shared by the Canned replies page and every composer.
    let canned = CannedReplies::new();
    provide_context(canned);
    feed::subscribe(move |message| canned.follow(message));
    // Read at once: the tenant's zone tells every scheduled time.
    let settings = TenantSettings::new();
    provide_context(settings);
    settings.reload();
    feed::subscribe(move |message| settings.follow(message));

    let me_error = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        match api.me().await {
            Ok(me) => account.me.set(Some(me)),
            Err(error) => me_error.set(Some(error.message())),
        }
    });
    leptos::task::spawn_local(async move {
        if let Ok(status) = api.simulator().await {
            account.simulator.set(status.enabled);
        }
    });

    let navigate = use_navigate();
    let sign_out = move |_| {
        feed::stop();
        session.sign_out();
        navigate("/login", NavigateOptions::default());
    };

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/" aria-label="Parley inbox">"Parley"</a>
            <Nav />
            <div class="topbar-end">
                <FeedIndicator feed=feed />
                <crate::notifications::AlertsMenu />
                {move || account.me.get().map(|me| view! { <AccountBadge me=me /> })}
                <button id="sign-out" type="button" class="secondary small" on:click=sign_out>
                    "Sign out"
                </button>
            </div>
        </header>
        {move || {
            me_error
                .get()
                .map(|message| {
                    view! {
                        <div id="me-error" class="banner error-banner" role="alert">
                            {message}
                        </div>
                    }
                })
        }}
        <div id="main" class="main" tabindex="-1">
            <Outlet />
        </div>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let location = use_location();
    let links: [(&str, &str, &str); 7] = [
        ("/", "Inbox", "nav-inbox"),
        ("/assistants", "Assistants", "nav-assistants"),
        ("/clients", "Clients", "nav-clients"),
        ("/canned-replies", "Canned replies", "nav-canned-replies"),
        ("/settings", "Settings", "nav-settings"),
        ("/diagnostics", "Diagnostics", "nav-diagnostics"),
        ("/usage", "Usage", "nav-usage"),
    ];
    view! {
        <nav class="nav" aria-label="Main">
            <ul>
                {links
                    .into_iter()
                    .map(|(href, label, id)| {
                        let current = move || {
                            let path = location.pathname.get();
                            let active = if href == "/" {
                                path == "/" || path.starts_with("/c/")
                            } else {
                                path.starts_with(href)
                            };
                            active.then_some("page")
                        };
                        view! {
                            <li>
                                <a id=id href=href aria-current=current>
                                    {label}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn FeedIndicator(feed: Feed) -> impl IntoView {
    let label = move || match feed.state.get() {
        FeedState::Connecting => "Connecting…",
        FeedState::Live => "Live",
        FeedState::Reconnecting(_) => "Reconnecting…",
        FeedState::Stopped => "Offline",
    };
    view! {
        <span
            id="feed-status"
            class="feed-status"
            data-state=move || feed.state.get().as_str()
            role="status"
            title=move || match feed.state.get() {
                FeedState::Reconnecting(_) => {
                    "Connection lost: reconnecting. New messages appear as soon as it is back."
                }
                _ => "Real-time updates",
            }
        >
            <span class="dot" aria-hidden="true"></span>
            <span class="label">{label}</span>
        </span>
    }
}

/// Organisation, name (email on hover) and role of the signed-in caller.
#[component]
fn AccountBadge(me: Me) -> impl IntoView {
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
    let name = me
        .user
        .as_ref()
        .map(|user| user.name.clone())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| email.clone());
    let email_title = email.clone();
    view! {
        <div class="account" aria-label="Signed in as">
            <span id="me-tenant" class="tenant">
                {me.tenant.name.clone()}
            </span>
            <span class="who" title=email_title>
                <span id="me-name">{name}</span>
                <span id="me-email" class="visually-hidden">
                    {email}
                </span>
                " · "
                <span id="me-role">{me.role.as_str()}</span>
            </span>
        </div>
    }
}
