//! The real-time feed: one WebSocket per tab to `GET /api/v1/ws`, reconnecting with
//! exponential backoff and `after=<last event id>` so that nothing is missed.
//!
//! Pages subscribe with [`subscribe`] (dropped with the component) and receive every
//! [`FeedMessage`]: the server's events, and [`FeedMessage::Resync`] when the page should
//! reload what it shows because events may have been missed (first connection, or a
//! reconnection without a known last id).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::leptos_dom::helpers::{
    set_interval_with_handle, set_timeout_with_handle, TimeoutHandle,
};
use leptos::prelude::*;
use parley::wire::FeedPayload;
// The server's feed frame, typed: the only place that names it. When the untyped `FeedEvent`
// goes and `TypedFeedEvent` takes its name, only this line changes.
use parley::wire::TypedFeedEvent as FeedEvent;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// First reconnection delay; doubles with each failure up to [`MAX_DELAY_MS`].
const BASE_DELAY_MS: f64 = 500.0;
const MAX_DELAY_MS: f64 = 30_000.0;
/// A connection that stayed open this long resets the backoff.
const STABLE_MS: f64 = 10_000.0;

/// What subscribers receive.
#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "one per frame, lent to the subscribers: boxing would only add a step to every match"
)]
pub enum FeedMessage {
    /// One of the server's events (`feed.reset` arrives as [`FeedMessage::Resync`]).
    Event(FeedPayload),
    /// Events may have been missed (first connection, pruned history): reload what is shown.
    Resync,
}

impl FeedMessage {
    /// Reads a frame: the event's id and what it says.
    pub fn parse(text: &str) -> Result<(i64, FeedMessage), serde_json::Error> {
        let event: FeedEvent = serde_json::from_str(text)?;
        let message = match event.payload {
            // The events after our last id were pruned: what is shown may be stale.
            FeedPayload::FeedReset(_) => FeedMessage::Resync,
            payload => FeedMessage::Event(payload),
        };
        Ok((event.id, message))
    }
}

/// The connection as the person sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedState {
    Connecting,
    Live,
    /// Lost; trying again (attempt number).
    Reconnecting(u32),
    Stopped,
}

impl FeedState {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedState::Connecting => "connecting",
            FeedState::Live => "live",
            FeedState::Reconnecting(_) => "reconnecting",
            FeedState::Stopped => "stopped",
        }
    }
}

/// The feed's reactive face, provided as context by the signed-in shell.
#[derive(Clone, Copy)]
pub struct Feed {
    pub state: RwSignal<FeedState>,
}

type Subscriber = Rc<dyn Fn(&FeedMessage)>;

struct Inner {
    /// Which `start` made this feed (a late cleanup of an older one must not stop it).
    session: u64,
    token: String,
    state: RwSignal<FeedState>,
    socket: Option<WebSocket>,
    generation: u64,
    last_id: Option<i64>,
    attempt: u32,
    opened_at: Option<f64>,
    retry: Option<TimeoutHandle>,
    // The socket's callbacks, kept alive as long as it is current.
    callbacks: Vec<Closure<dyn FnMut(Event)>>,
    online: Option<Closure<dyn FnMut(Event)>>,
}

thread_local! {
    static FEED: RefCell<Option<Inner>> = const { RefCell::new(None) };
    static SUBSCRIBERS: RefCell<Vec<(u64, Subscriber)>> = const { RefCell::new(Vec::new()) };
    static NEXT_SUBSCRIBER: RefCell<u64> = const { RefCell::new(1) };
    static NEXT_SESSION: RefCell<u64> = const { RefCell::new(1) };
}

/// Starts the tab's feed with this token (stopping any previous one); stopped again when the
/// calling component is cleaned up.
pub fn start(token: String) -> Feed {
    stop();
    let session = NEXT_SESSION.with(|next| {
        let mut next = next.borrow_mut();
        *next += 1;
        *next
    });
    let state = RwSignal::new(FeedState::Connecting);
    let online = Closure::<dyn FnMut(Event)>::new(move |_: Event| reconnect_now());
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    }
    FEED.with(|feed| {
        *feed.borrow_mut() = Some(Inner {
            session,
            token,
            state,
            socket: None,
            generation: 0,
            last_id: None,
            attempt: 0,
            opened_at: None,
            retry: None,
            callbacks: Vec::new(),
            online: Some(online),
        })
    });
    connect();
    on_cleanup(move || {
        let current = FEED.with(|feed| feed.borrow().as_ref().map(|inner| inner.session));
        if current == Some(session) {
            stop();
        }
    });
    Feed { state }
}

/// Closes the socket and forgets the feed.
pub fn stop() {
    let inner = FEED.with(|feed| feed.borrow_mut().take());
    if let Some(mut inner) = inner {
        if let Some(handle) = inner.retry.take() {
            handle.clear();
        }
        if let Some(socket) = inner.socket.take() {
            detach(&socket);
            let _ = socket.close();
        }
        if let (Some(window), Some(online)) = (web_sys::window(), inner.online.as_ref()) {
            let _ = window
                .remove_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        }
        inner.state.try_set(FeedState::Stopped);
        // `stop` may run inside one of these callbacks (a handler signed out): drop them
        // once it has returned.
        leptos::leptos_dom::helpers::set_timeout(move || drop(inner), Duration::ZERO);
    }
}

/// Runs `task` every `period` while the feed is not live, so that a page stays roughly fresh
/// while the connection is down; stops with the calling component.
pub fn poll_while_offline(period: Duration, task: impl Fn() + 'static) {
    let Some(feed) = use_context::<Feed>() else {
        return;
    };
    let tick = move || {
        if feed
            .state
            .try_get_untracked()
            .is_some_and(|state| state != FeedState::Live)
        {
            task();
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, period) {
        on_cleanup(move || handle.clear());
    }
}

/// Calls `handler` with every feed message until the calling component is cleaned up.
pub fn subscribe(handler: impl Fn(&FeedMessage) + 'static) {
    let id = NEXT_SUBSCRIBER.with(|next| {
        let mut next = next.borrow_mut();
        *next += 1;
        *next
    });
    SUBSCRIBERS.with(|subscribers| subscribers.borrow_mut().push((id, Rc::new(handler))));
    on_cleanup(move || {
        SUBSCRIBERS.with(|subscribers| subscribers.borrow_mut().retain(|(s, _)| *s != id));
    });
}

fn dispatch(message: &FeedMessage) {
    // A copy: handlers may subscribe or unsubscribe while we iterate.
    let subscribers: Vec<Subscriber> = SUBSCRIBERS.with(|subscribers| {
        subscribers
            .borrow()
            .iter()
            .map(|(_, s)| Rc::clone(s))
            .collect()
    });
    for subscriber in subscribers {
        subscriber(message);
    }
}

/// The feed's URL; the token travels in `Sec-WebSocket-Protocol`, never in the URL (logs).
fn socket_url(after: Option<i64>) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    let mut url = format!("{scheme}://{host}/api/v1/ws");
    if let Some(after) = after {
        url.push_str(&format!("?after={after}"));
    }
    Some(url)
}

fn detach(socket: &WebSocket) {
    socket.set_onopen(None);
    socket.set_onmessage(None);
    socket.set_onclose(None);
    socket.set_onerror(None);
}

fn connect() {
    let plan = FEED.with(|feed| {
        let mut feed = feed.borrow_mut();
        let inner = feed.as_mut()?;
        inner.retry = None;
        if let Some(old) = inner.socket.take() {
            detach(&old);
            let _ = old.close();
        }
        inner.generation += 1;
        Some((inner.generation, inner.token.clone(), inner.last_id))
    });
    let Some((generation, token, after)) = plan else {
        return;
    };
    let Some(url) = socket_url(after) else {
        return;
    };
    let protocols = js_sys::Array::of2(&JsValue::from_str("bearer"), &JsValue::from_str(&token));
    let socket = match WebSocket::new_with_str_sequence(&url, &protocols) {
        Ok(socket) => socket,
        Err(_) => {
            schedule_retry(generation);
            return;
        }
    };

    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        let resync = FEED.with(|feed| {
            let mut feed = feed.borrow_mut();
            let inner = feed.as_mut().filter(|i| i.generation == generation)?;
            inner.opened_at = Some(js_sys::Date::now());
            inner.state.try_set(FeedState::Live);
            // Without a last id, `after` could not be used: what happened before is unknown.
            Some(inner.last_id.is_none())
        });
        if resync == Some(true) {
            dispatch(&FeedMessage::Resync);
        }
    });
    let on_message = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        let Some(event) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        let Some(text) = event.data().as_string() else {
            return;
        };
        let (id, message) = match FeedMessage::parse(&text) {
            Ok(parsed) => parsed,
            Err(error) => {
                // A frame this version cannot read (a newer server?): say so, keep going.
                leptos::logging::warn!("feed: ignored a frame that does not parse: {error}");
                return;
            }
        };
        let fresh = FEED.with(|feed| {
            let mut feed = feed.borrow_mut();
            let inner = feed.as_mut().filter(|i| i.generation == generation)?;
            if inner.last_id.is_some_and(|last| id <= last) {
                return Some(false);
            }
            inner.last_id = Some(id);
            Some(true)
        });
        if fresh == Some(true) {
            dispatch(&message);
        }
    });
    let on_close = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        let _reason = event.dyn_ref::<CloseEvent>().map(|e| e.reason());
        schedule_retry(generation);
    });

    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    FEED.with(|feed| {
        if let Some(inner) = feed.borrow_mut().as_mut() {
            inner.socket = Some(socket);
            inner.callbacks = vec![on_open, on_message, on_close];
        }
    });
}

/// After a close: wait (longer after each failure), then connect again.
fn schedule_retry(generation: u64) {
    let delay = FEED.with(|feed| {
        let mut feed = feed.borrow_mut();
        let inner = feed.as_mut().filter(|i| i.generation == generation)?;
        if let Some(socket) = inner.socket.take() {
            detach(&socket);
        }
        let now = js_sys::Date::now();
        if inner
            .opened_at
            .take()
            .is_some_and(|opened| now - opened >= STABLE_MS)
        {
            inner.attempt = 0;
        }
        inner.attempt += 1;
        inner.state.try_set(FeedState::Reconnecting(inner.attempt));
        let exponent = (inner.attempt - 1).min(16) as i32;
        let base = (BASE_DELAY_MS * 2f64.powi(exponent)).min(MAX_DELAY_MS);
        // ±25 % jitter so that many tabs do not come back in step.
        let jitter = 0.75 + js_sys::Math::random() * 0.5;
        Some(base * jitter)
    });
    let Some(delay) = delay else {
        return;
    };
    let handle = set_timeout_with_handle(connect, Duration::from_millis(delay as u64)).ok();
    FEED.with(|feed| {
        if let Some(inner) = feed.borrow_mut().as_mut() {
            inner.retry = handle;
        }
    });
}

/// The browser says it is online again: skip the remaining wait.
fn reconnect_now() {
    let waiting = FEED.with(|feed| {
        let mut feed = feed.borrow_mut();
        let inner = feed.as_mut()?;
        let handle = inner.retry.take()?;
        handle.clear();
        Some(())
    });
    if waiting.is_some() {
        connect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = r#"{"id": "6f1c0b1e-8e0a-4b8e-9b51-6a0b7d0c1a01",
        "conversation_id": "6f1c0b1e-8e0a-4b8e-9b51-6a0b7d0c1a02",
        "direction": "outbound", "author": "ai", "text": "Hi", "encoding": "GSM-7",
        "segments": 1, "status": "queued", "error": null, "telnyx_message_id": null,
        "created_at": "2026-11-25T10:00:00Z", "sent_at": null, "delivered_at": null}"#;

    fn frame(id: i64, kind: &str, data: &str) -> String {
        format!(
            r#"{{"id": {id}, "type": "{kind}", "occurred_at": "2026-11-25T10:00:00Z", "data": {data}}}"#
        )
    }

    #[test]
    fn reads_each_event_by_its_type() {
        let (id, parsed) =
            FeedMessage::parse(&frame(7, "message.status_updated", MESSAGE)).expect("event");
        assert_eq!(id, 7);
        match parsed {
            FeedMessage::Event(FeedPayload::MessageStatusUpdated(message)) => {
                assert_eq!(message.text, "Hi")
            }
            other => panic!("not a status update: {other:?}"),
        }

        let ai = frame(
            8,
            "ai.response_generated",
            &format!(
                r#"{{"conversation_id": "6f1c0b1e-8e0a-4b8e-9b51-6a0b7d0c1a02",
                    "message": {MESSAGE}, "provider": "offline_demo", "offline_demo": true,
                    "model": "demo", "prompt_tokens": null, "completion_tokens": null}}"#
            ),
        );
        assert!(matches!(
            FeedMessage::parse(&ai),
            Ok((8, FeedMessage::Event(FeedPayload::AiResponseGenerated(_))))
        ));

        let opt_out = frame(
            9,
            "opt_out.changed",
            r#"{"phone_number": "+14165551234", "opted_out": false}"#,
        );
        assert!(matches!(
            FeedMessage::parse(&opt_out),
            Ok((9, FeedMessage::Event(FeedPayload::OptOutChanged(_))))
        ));
    }

    #[test]
    fn a_reset_asks_for_a_reload_and_anything_else_is_refused() {
        let reset = frame(9, "feed.reset", r#"{"reason": "pruned"}"#);
        assert!(matches!(
            FeedMessage::parse(&reset),
            Ok((9, FeedMessage::Resync))
        ));
        assert!(FeedMessage::parse("not json").is_err());
        assert!(FeedMessage::parse(&frame(10, "no.such", "{}")).is_err());
        // A known type whose data is not what it says is refused too, not half-read.
        assert!(FeedMessage::parse(&frame(11, "message.created", "{}")).is_err());
    }
}
