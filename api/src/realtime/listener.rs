//! One dedicated connection per instance LISTENs for new events; the events themselves are
//! read from the table by id, so a lost notification (a restart, a dropped connection) loses
//! nothing: after reconnecting, every watched tenant catches up from its last delivered id.
//! The same connection hears revocations (see [`revocations`]) and routing changes (see
//! [`routing`]).

use std::collections::HashMap;
use std::time::Duration;

use crate::ids::TenantId;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::{FutureExt, StreamExt};
use tokio_util::sync::CancellationToken;

use super::{events, revocations};
use crate::phone_numbers::routing;
use crate::state::AppState;

/// The listener's connection names itself, so operators (and tests) can find it.
pub const APPLICATION_NAME: &str = "parley-listener";
const BATCH: i64 = 500;

fn listener_url(database_url: &str) -> String {
    let separator = if database_url.contains('?') { '&' } else { '?' };
    format!("{database_url}{separator}application_name={APPLICATION_NAME}")
}

pub async fn run(state: AppState, shutdown: CancellationToken) {
    let mut retry = Duration::from_millis(200);
    while !shutdown.is_cancelled() {
        match AsyncPgConnection::establish(&listener_url(&state.settings.database_url)).await {
            Ok(mut conn) => match conn
                .batch_execute(&format!(
                    "LISTEN {}; LISTEN {}; LISTEN {}",
                    events::CHANNEL,
                    revocations::CHANNEL,
                    routing::CHANNEL
                ))
                .await
            {
                Ok(()) => {
                    retry = Duration::from_millis(200);
                    // Routing changes announced while we were not listening are unknown.
                    state.routes.forget_all();
                    catch_up(&state).await;
                    // Revocations announced while we were not listening are found this way.
                    revocations::recheck(&state).await;
                    listen(&state, &mut conn, &shutdown).await;
                }
                Err(error) => tracing::warn!(%error, "cannot LISTEN for events"),
            },
            Err(error) => tracing::warn!(%error, "event listener cannot connect"),
        }
        tokio::select! {
            _ = tokio::time::sleep(retry) => {}
            _ = shutdown.cancelled() => {}
        }
        retry = (retry * 2).min(Duration::from_secs(5));
    }
}

/// Consumes notifications until the connection ends or the instance stops.
async fn listen(state: &AppState, conn: &mut AsyncPgConnection, shutdown: &CancellationToken) {
    let notifications = conn.notifications_stream();
    tokio::pin!(notifications);
    loop {
        let first = tokio::select! {
            next = notifications.next() => next,
            _ = shutdown.cancelled() => return,
        };
        // Everything already waiting goes in the same round: one read per tenant.
        let mut earliest: HashMap<TenantId, i64> = HashMap::new();
        let mut next = first;
        loop {
            match next {
                Some(Ok(notification)) if notification.channel == routing::CHANNEL => {
                    state.routes.forget_all();
                }
                Some(Ok(notification)) if notification.channel == revocations::CHANNEL => {
                    if let Some(principal) = revocations::parse(&notification.payload) {
                        state.hub.revoke(principal);
                    }
                }
                Some(Ok(notification)) => {
                    if let Some((tenant, id)) = parse(&notification.payload) {
                        let entry = earliest.entry(tenant).or_insert(id);
                        *entry = (*entry).min(id);
                    }
                }
                Some(Err(error)) => {
                    tracing::warn!(%error, "event listener connection lost; reconnecting");
                    deliver_all(state, earliest).await;
                    return;
                }
                None => {
                    deliver_all(state, earliest).await;
                    return;
                }
            }
            match notifications.next().now_or_never() {
                Some(more) => next = more,
                None => break,
            }
        }
        deliver_all(state, earliest).await;
    }
}

fn parse(payload: &str) -> Option<(TenantId, i64)> {
    let (tenant, id) = payload.split_once(':')?;
    Some((tenant.parse().ok()?, id.parse().ok()?))
}

async fn deliver_all(state: &AppState, earliest: HashMap<TenantId, i64>) {
    for (tenant, id) in earliest {
        if let Some(delivered) = state.hub.watching(tenant) {
            deliver(state, tenant, delivered.unwrap_or(id - 1)).await;
        }
    }
}

/// After a (re)connect: every watched tenant reads what it may have missed.
async fn catch_up(state: &AppState) {
    for (tenant, delivered) in state.hub.watched() {
        if let Some(delivered) = delivered {
            deliver(state, tenant, delivered).await;
        }
    }
}

async fn deliver(state: &AppState, tenant: TenantId, mut after: i64) {
    let Ok(mut conn) = state.pool.get().await else {
        tracing::warn!("event listener cannot read events: no database connection");
        return;
    };
    loop {
        match events::after(&mut conn, tenant, after, BATCH).await {
            Ok(batch) if batch.is_empty() => return,
            Ok(batch) => {
                let full = batch.len() as i64 == BATCH;
                after = batch.last().map(|e| e.id).unwrap_or(after);
                state.hub.publish(tenant, batch);
                if !full {
                    return;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "event listener cannot read events");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_and_urls() {
        let tenant = TenantId::random();
        assert_eq!(parse(&format!("{tenant}:42")), Some((tenant, 42)));
        assert_eq!(parse("garbage"), None);
        assert_eq!(
            listener_url("postgres://h/db"),
            "postgres://h/db?application_name=parley-listener"
        );
        assert_eq!(
            listener_url("postgres://h/db?sslmode=disable"),
            "postgres://h/db?sslmode=disable&application_name=parley-listener"
        );
    }
}
