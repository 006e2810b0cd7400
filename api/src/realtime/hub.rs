//! This instance's subscribers, per tenant: a broadcast channel each, fed by the listener in
//! id order. A subscriber that falls too far behind is dropped (it reconnects with `after`)
//! instead of slowing the others. It also knows whose sessions it serves, so a revoked API
//! key or a removed user can be shut out at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::ids::TenantId;
use tokio::sync::{broadcast, watch};

use crate::auth::principal::Principal;
use crate::wire::FeedEvent;

/// An event as it goes out: serialised once here, not once per subscriber.
#[derive(Debug)]
pub struct Frame {
    pub id: i64,
    pub json: String,
}

impl Frame {
    pub fn of(event: &FeedEvent) -> Frame {
        Frame {
            id: event.id,
            // A FeedEvent always serialises: its data is already JSON.
            json: serde_json::to_string(event).unwrap_or_default(),
        }
    }
}

/// Events a subscriber may be behind before it is closed as too slow.
pub const SUBSCRIBER_BACKLOG: usize = 1024;

struct TenantFeed {
    sender: broadcast::Sender<Arc<Frame>>,
    /// The last id published to this tenant's subscribers (`None` until the first).
    delivered: Option<i64>,
}

#[derive(Default)]
pub struct Hub {
    feeds: Mutex<HashMap<TenantId, TenantFeed>>,
    /// Per principal with sessions here: turns `true` when it is revoked.
    principals: Mutex<HashMap<Principal, watch::Sender<bool>>>,
}

impl Hub {
    fn feeds(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, TenantFeed>> {
        self.feeds
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn subscribe(&self, tenant_id: TenantId) -> broadcast::Receiver<Arc<Frame>> {
        let mut feeds = self.feeds();
        feeds
            .entry(tenant_id)
            .or_insert_with(|| TenantFeed {
                sender: broadcast::channel(SUBSCRIBER_BACKLOG).0,
                delivered: None,
            })
            .sender
            .subscribe()
    }

    /// Whether anyone here listens to the tenant, and the last id they were given.
    pub fn watching(&self, tenant_id: TenantId) -> Option<Option<i64>> {
        let mut feeds = self.feeds();
        match feeds.get(&tenant_id) {
            Some(feed) if feed.sender.receiver_count() > 0 => Some(feed.delivered),
            Some(_) => {
                feeds.remove(&tenant_id);
                None
            }
            None => None,
        }
    }

    /// Tenants with subscribers and what they have been given (for catching up).
    pub fn watched(&self) -> Vec<(TenantId, Option<i64>)> {
        let mut feeds = self.feeds();
        feeds.retain(|_, feed| feed.sender.receiver_count() > 0);
        feeds
            .iter()
            .map(|(tenant, feed)| (*tenant, feed.delivered))
            .collect()
    }

    /// Hands events (in id order, all newer than the last published) to the subscribers.
    pub fn publish(&self, tenant_id: TenantId, events: Vec<FeedEvent>) {
        let mut feeds = self.feeds();
        let Some(feed) = feeds.get_mut(&tenant_id) else {
            return;
        };
        for event in events {
            if feed
                .delivered
                .is_some_and(|delivered| event.id <= delivered)
            {
                continue;
            }
            feed.delivered = Some(event.id);
            // No receivers left is not an error: the next subscriber starts afresh.
            let _ = feed.sender.send(Arc::new(Frame::of(&event)));
        }
    }

    fn principal_map(&self) -> std::sync::MutexGuard<'_, HashMap<Principal, watch::Sender<bool>>> {
        self.principals
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// A session's signal that its principal lost access; hold it as long as the session.
    pub fn watch_principal(&self, principal: Principal) -> watch::Receiver<bool> {
        let mut principals = self.principal_map();
        principals.retain(|_, sender| sender.receiver_count() > 0);
        principals
            .entry(principal)
            .or_insert_with(|| watch::channel(false).0)
            .subscribe()
    }

    /// The principals whose sessions this instance serves.
    pub fn principals(&self) -> Vec<Principal> {
        let mut principals = self.principal_map();
        principals.retain(|_, sender| sender.receiver_count() > 0);
        principals.keys().copied().collect()
    }

    /// Tells the principal's sessions here to close (the entry goes with the last of them).
    pub fn revoke(&self, principal: Principal) {
        if let Some(sender) = self.principal_map().get(&principal) {
            sender.send_replace(true);
        }
    }

    pub fn subscriber_count(&self) -> usize {
        self.feeds()
            .values()
            .map(|feed| feed.sender.receiver_count())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ApiKeyId, UserId};

    fn event(id: i64) -> FeedEvent {
        FeedEvent {
            id,
            occurred_at: chrono::Utc::now(),
            payload: crate::wire::FeedPayload::FeedReset(crate::wire::FeedReset {
                reason: "test".into(),
            }),
        }
    }

    #[test]
    fn publishes_each_id_once_and_in_order() {
        let hub = Hub::default();
        let tenant = TenantId::random();
        let mut receiver = hub.subscribe(tenant);
        hub.publish(tenant, vec![event(1), event(2)]);
        hub.publish(tenant, vec![event(2), event(3)]);
        let ids: Vec<i64> = std::iter::from_fn(|| receiver.try_recv().ok())
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, vec![1, 2, 3]);
        assert_eq!(hub.watching(tenant), Some(Some(3)));
        drop(receiver);
        assert_eq!(hub.watching(tenant), None);
    }

    #[test]
    fn revoking_signals_that_principals_sessions_only() {
        let hub = Hub::default();
        let key = Principal::ApiKey(ApiKeyId::random());
        let user = Principal::User(UserId::random());
        let first = hub.watch_principal(key);
        let second = hub.watch_principal(key);
        let other = hub.watch_principal(user);
        assert_eq!(hub.principals().len(), 2);
        hub.revoke(key);
        assert!(*first.borrow() && *second.borrow());
        assert!(!*other.borrow());
        drop((first, second));
        assert_eq!(hub.principals(), vec![user]);
        drop(other);
        assert!(hub.principals().is_empty());
    }
}
