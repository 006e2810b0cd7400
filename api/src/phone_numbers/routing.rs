//! Inbound routing: which tenant owns the number a customer wrote to. Every inbound message
//! asks, and the answer changes only when an admin adds or removes a number or changes a
//! tenant's resume window, so each instance keeps the answers in memory. It forgets them all
//! when PostgreSQL announces such a change (triggers on `phone_numbers` and `tenants` NOTIFY
//! [`CHANNEL`], whichever instance or command made it), when its listener reconnects (an
//! announcement may have been missed meanwhile), and after [`MAX_AGE`] in any case.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use crate::ids::TenantId;

/// The channel the routing triggers NOTIFY (migration `2026-11-30-000004_routing`).
pub const CHANNEL: &str = "parley_routing";

/// The longest an answer is trusted without an announcement.
const MAX_AGE: Duration = Duration::from_secs(30);

/// Where a customer's message to one of our numbers goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub tenant_id: TenantId,
    /// The number as we store it.
    pub number: String,
    /// The tenant's resume window (days a closed conversation is continued rather than
    /// replaced).
    pub resume_window_days: i32,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<String, (Route, Instant)>,
    /// Bumped by every invalidation, so that a lookup which started before one does not
    /// store its (possibly stale) answer after it.
    generation: u64,
}

/// This instance's routing answers.
#[derive(Default)]
pub struct Routes {
    cache: Mutex<Cache>,
}

impl Routes {
    /// The route of `number`, if a tenant owns it. Unknown numbers are not remembered, so a
    /// number added a moment ago routes at once.
    pub async fn resolve(
        &self,
        conn: &mut AsyncPgConnection,
        number: &str,
    ) -> QueryResult<Option<Route>> {
        let generation = {
            let cache = self.lock();
            if let Some((route, at)) = cache.entries.get(number) {
                if at.elapsed() < MAX_AGE {
                    return Ok(Some(route.clone()));
                }
            }
            cache.generation
        };
        let found = super::storage::route(conn, number).await?;
        if let Some(route) = &found {
            let mut cache = self.lock();
            if cache.generation == generation {
                cache
                    .entries
                    .insert(number.to_string(), (route.clone(), Instant::now()));
            }
        }
        Ok(found)
    }

    /// Forgets every answer (a change was announced, or may have been missed).
    pub fn forget_all(&self) {
        let mut cache = self.lock();
        cache.generation += 1;
        cache.entries.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A poisoned cache is still a valid cache: every entry is a complete answer.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
