//! Revoking an API key or removing a user ends that principal's feed sessions on every
//! instance. The revoking transaction NOTIFYs `parley_revocations`; each instance's listener
//! hears it and its hub closes the matching sessions. A notification sent while a listener was
//! reconnecting is lost, so after every (re)connect, and once a minute as a backstop, each
//! instance asks the database which of its sessions' principals are no longer valid: one query
//! per principal kind, whatever the number of sessions.

use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::ids::{ApiKeyId, UserId};

use crate::api_keys::storage as api_key_storage;
use crate::auth::principal::Principal;
use crate::state::AppState;
use crate::users::storage as user_storage;

/// The channel a revocation is announced on; the payload is `api_key:<id>` or `user:<id>`.
pub const CHANNEL: &str = "parley_revocations";
/// How often sessions' principals are re-checked when no notification came.
pub const RECHECK_INTERVAL: Duration = Duration::from_secs(60);

fn payload(principal: Principal) -> String {
    match principal {
        Principal::ApiKey(id) => format!("api_key:{id}"),
        Principal::User(id) => format!("user:{id}"),
    }
}

pub fn parse(payload: &str) -> Option<Principal> {
    let (kind, id) = payload.split_once(':')?;
    let id: Uuid = id.parse().ok()?;
    match kind {
        "api_key" => Some(Principal::ApiKey(ApiKeyId(id))),
        "user" => Some(Principal::User(UserId(id))),
        _ => None,
    }
}

/// Why a session of this principal was closed, as its close frame says.
pub fn close_text(principal: Principal) -> &'static str {
    match principal {
        Principal::ApiKey(_) => "API key revoked",
        Principal::User(_) => "user removed",
    }
}

/// Announces that the principal no longer has access; call it inside the revoking
/// transaction, so listeners hear it once the revocation is visible.
pub async fn announce(
    conn: &mut AsyncPgConnection,
    principal: Principal,
) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(payload(principal))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The principals among these that are revoked or removed.
pub async fn revoked_among(
    conn: &mut AsyncPgConnection,
    principals: &[Principal],
) -> diesel::QueryResult<Vec<Principal>> {
    let mut key_ids = Vec::new();
    let mut user_ids = Vec::new();
    for principal in principals {
        match principal {
            Principal::ApiKey(id) => key_ids.push(*id),
            Principal::User(id) => user_ids.push(*id),
        }
    }
    let mut revoked = Vec::new();
    if !key_ids.is_empty() {
        let live = api_key_storage::live_ids(conn, &key_ids).await?;
        revoked.extend(
            key_ids
                .into_iter()
                .filter(|id| !live.contains(id))
                .map(Principal::ApiKey),
        );
    }
    if !user_ids.is_empty() {
        let existing = user_storage::existing_ids(conn, &user_ids).await?;
        revoked.extend(
            user_ids
                .into_iter()
                .filter(|id| !existing.contains(id))
                .map(Principal::User),
        );
    }
    Ok(revoked)
}

/// Closes this instance's sessions whose principal is no longer valid.
pub async fn recheck(state: &AppState) {
    let principals = state.hub.principals();
    if principals.is_empty() {
        return;
    }
    let Ok(mut conn) = state.pool.get().await else {
        tracing::warn!("cannot re-check feed sessions: no database connection");
        return;
    };
    match revoked_among(&mut conn, &principals).await {
        Ok(revoked) => {
            for principal in revoked {
                state.hub.revoke(principal);
            }
        }
        Err(error) => tracing::warn!(%error, "cannot re-check feed sessions"),
    }
}

/// The backstop: re-checks every session's principal now and then.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(RECHECK_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => recheck(&state).await,
            _ = shutdown.cancelled() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let id = Uuid::new_v4();
        for principal in [Principal::ApiKey(ApiKeyId(id)), Principal::User(UserId(id))] {
            assert_eq!(parse(&payload(principal)), Some(principal));
        }
        assert_eq!(parse("tenant:x"), None);
        assert_eq!(parse("garbage"), None);
    }
}
