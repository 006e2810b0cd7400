//! `GET /api/v1/ws`: a tenant's events as JSON text frames. Authenticated before the upgrade
//! (a bad token is a plain 401); `after=<id>` replays what the client missed, then the live
//! stream continues without a gap or a duplicate at the seam. A session ends when its token
//! expires, or when its API key is revoked or its user removed (close code 1008, "API key
//! revoked" / "user removed").

use std::time::{Duration, Instant};

use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::hub::Frame;
use super::{events, revocations};
use crate::auth::{self, AuthError, Caller};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::FeedEvent;

pub const PING_INTERVAL: Duration = Duration::from_secs(20);
/// A client that answers no ping for this long is gone.
const SILENCE_LIMIT: Duration = Duration::from_secs(50);
/// A client that cannot take a frame in this time is too slow.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
const REPLAY_BATCH: i64 = 500;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/ws").route(web::get().to(connect)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// An access token or API key (or send `Sec-WebSocket-Protocol: bearer, <token>`).
    pub access_token: Option<String>,
    /// The last event id the client saw: everything newer is replayed first.
    pub after: Option<i64>,
}

/// The token of `Sec-WebSocket-Protocol: bearer, <token>`.
fn protocol_token(request: &HttpRequest) -> Option<String> {
    let header = request
        .headers()
        .get(SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?;
    let mut parts = header.split(',').map(str::trim);
    match (parts.next(), parts.next()) {
        (Some(scheme), Some(token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() =>
        {
            Some(token.to_string())
        }
        _ => None,
    }
}

/// The tenant's live events (WebSocket upgrade).
#[utoipa::path(get, operation_id = "connect_feed", path = "/api/v1/ws", tag = "feed", params(FeedQuery),
    responses((status = 101, description = "switching to the WebSocket feed; frames are FeedEvent JSON"),
        (status = 401, body = crate::wire::ErrorBody)))]
pub async fn connect(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Payload,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let from_protocol = protocol_token(&request);
    let token = query
        .access_token
        .clone()
        .or_else(|| from_protocol.clone())
        .ok_or(AuthError::MissingToken)?;
    let caller = auth::authenticate(&state, &token).await?;
    let (mut response, session, stream) = actix_ws::handle(&request, body)
        .map_err(|error| ApiError::bad_request("not_a_websocket", None, error.to_string()))?;
    if from_protocol.is_some() {
        response
            .headers_mut()
            .insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static("bearer"));
    }
    let state = state.get_ref().clone();
    let after = query.after;
    actix_web::rt::spawn(async move {
        let outcome = run(&state, &caller, after, session.clone(), stream).await;
        let _ = session.close(Some(outcome)).await;
    });
    Ok(response)
}

fn reason(code: CloseCode, text: impl Into<String>) -> CloseReason {
    CloseReason {
        code,
        description: Some(text.into()),
    }
}

async fn send(session: &mut Session, event: &FeedEvent) -> Result<(), CloseReason> {
    send_text(session, Frame::of(event).json).await
}

async fn send_text(session: &mut Session, text: String) -> Result<(), CloseReason> {
    match tokio::time::timeout(SEND_TIMEOUT, session.text(text)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(reason(CloseCode::Normal, "closed")),
        Err(_) => Err(reason(
            CloseCode::Policy,
            "too slow: reconnect with after=<last id>",
        )),
    }
}

/// Replays the tenant's events after `after`; answers the last id sent.
async fn replay(
    state: &AppState,
    caller: &Caller,
    session: &mut Session,
    after: i64,
) -> Result<i64, CloseReason> {
    let unavailable = |_| reason(CloseCode::Again, "database unavailable; reconnect shortly");
    let mut conn = state
        .pool
        .get()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    let mut last = after;
    if let Some(oldest) = events::oldest_id(&mut conn, caller.tenant_id)
        .await
        .map_err(|e| unavailable(e.to_string()))?
    {
        if oldest > after + 1 {
            // What the client missed is partly pruned: it must reload rather than trust a gap.
            send(
                session,
                &FeedEvent {
                    id: oldest - 1,
                    event_type: "feed.reset".into(),
                    occurred_at: state.clock.now(),
                    data: serde_json::json!({ "reason": "events after the given id were pruned; reload" }),
                },
            )
            .await?;
            last = oldest - 1;
        }
    }
    loop {
        let batch = events::after(&mut conn, caller.tenant_id, last, REPLAY_BATCH)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let done = (batch.len() as i64) < REPLAY_BATCH;
        for event in &batch {
            send(session, event).await?;
            last = event.id;
        }
        if done {
            return Ok(last);
        }
    }
}

async fn run(
    state: &AppState,
    caller: &Caller,
    after: Option<i64>,
    mut session: Session,
    mut stream: MessageStream,
) -> CloseReason {
    // Subscribe before reading the table: whatever commits meanwhile arrives live, and ids
    // already sent are skipped at the seam.
    let mut live = state.hub.subscribe(caller.tenant_id);
    // Likewise for revocations: watch first, then check once, so a revocation that committed
    // since the caller was authenticated is not missed.
    let mut revoked = state.hub.watch_principal(caller.principal);
    let revoked_reason = reason(CloseCode::Policy, revocations::close_text(caller.principal));
    match state.pool.get().await {
        Ok(mut conn) => match revocations::revoked_among(&mut conn, &[caller.principal]).await {
            Ok(gone) if gone.is_empty() => {}
            Ok(_) => return revoked_reason,
            Err(e) => return reason(CloseCode::Again, e.to_string()),
        },
        Err(e) => return reason(CloseCode::Again, e.to_string()),
    }
    let start = match after {
        Some(after) => replay(state, caller, &mut session, after).await,
        None => match state.pool.get().await {
            Ok(mut conn) => events::latest_id(&mut conn, caller.tenant_id)
                .await
                .map_err(|e| reason(CloseCode::Again, e.to_string())),
            Err(e) => Err(reason(CloseCode::Again, e.to_string())),
        },
    };
    let mut last_sent = match start {
        Ok(last) => last,
        Err(close) => return close,
    };
    let mut ping = tokio::time::interval(PING_INTERVAL);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let expiry = caller
        .expires_at
        .map(|at| (at - state.clock.now()).to_std().unwrap_or_default());
    let expired = tokio::time::sleep(expiry.unwrap_or(Duration::from_secs(365 * 86400)));
    tokio::pin!(expired);
    loop {
        tokio::select! {
            event = live.recv() => match event {
                Ok(event) => {
                    if event.id > last_sent {
                        if let Err(close) = send_text(&mut session, event.json.clone()).await {
                            return close;
                        }
                        last_sent = event.id;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    return reason(CloseCode::Policy, format!("too slow: reconnect with after={last_sent}"));
                }
                Err(RecvError::Closed) => return reason(CloseCode::Away, "feed closed"),
            },
            message = stream.next() => match message {
                Some(Ok(Message::Ping(bytes))) => {
                    last_heard = Instant::now();
                    if session.pong(&bytes).await.is_err() {
                        return reason(CloseCode::Normal, "closed");
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return reason(CloseCode::Normal, "bye"),
                Some(Ok(_)) => last_heard = Instant::now(),
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE_LIMIT {
                    return reason(CloseCode::Away, "no answer to pings");
                }
                if session.ping(b"parley").await.is_err() {
                    return reason(CloseCode::Normal, "closed");
                }
            },
            _ = &mut expired => return reason(CloseCode::Policy, "access token expired: sign in again"),
            _ = revoked.wait_for(|revoked| *revoked) => return revoked_reason,
            _ = state.shutdown.cancelled() => return reason(CloseCode::Restart, "server restarting: reconnect with after=<last id>"),
        }
    }
}
