//! Fault injection: how the next sends fail and what happens to webhooks, set over HTTP
//! (`/sim/faults`) or from Rust through [`Faults`].

use super::*;

/// How the next sends fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum SendFaultKind {
    /// 500 with Telnyx's error 10007.
    ServerError,
    /// 429 with error 10011 and, when given, `Retry-After`.
    RateLimited {
        #[serde(default)]
        retry_after_seconds: Option<u64>,
    },
    /// A refusal with this code (default 40305) and status (default 422).
    Rejected {
        #[serde(default = "default_reject_code")]
        code: String,
        #[serde(default = "default_reject_status")]
        status: u16,
    },
    /// No answer for `seconds` (default: the config's `hang`), then 504.
    Hang {
        #[serde(default)]
        seconds: Option<u64>,
    },
    /// Accepts the message (webhooks follow) but holds the answer like `Hang`: the case where
    /// a client times out although Telnyx took the message.
    AcceptThenHang {
        #[serde(default)]
        seconds: Option<u64>,
    },
}

fn default_reject_code() -> String {
    "40305".to_string()
}

fn default_reject_status() -> u16 {
    422
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendFault {
    #[serde(flatten)]
    pub kind: SendFaultKind,
    /// How many of the next sends fail this way.
    #[serde(default = "one")]
    pub count: u32,
}

/// Webhook faults apply to every webhook until cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookFaults {
    /// Each event is delivered this many times (0 and 1 mean once).
    #[serde(default)]
    pub duplicate: u32,
    /// `message.finalized` before `message.sent`.
    #[serde(default)]
    pub reorder: bool,
    /// Pause before each event.
    #[serde(default)]
    pub delay_ms: u64,
    /// No webhooks at all.
    #[serde(default)]
    pub drop: bool,
}

/// Telnyx's throughput limits, enforced until cleared: over the account's rate a send is
/// answered 429 (`Retry-After: 1`); over a number's, 40318 (the number's queue is full).
/// Rates count the sends accepted in the last second.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendLimits {
    #[serde(default)]
    pub account_per_second: Option<u32>,
    #[serde(default)]
    pub number_per_second: Option<u32>,
}

/// `POST /sim/faults` body; the parts given replace the current ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    #[serde(default)]
    pub send: Option<SendFault>,
    #[serde(default)]
    pub webhooks: Option<WebhookFaults>,
    #[serde(default)]
    pub limits: Option<SendLimits>,
}

/// Fault injection from Rust; the same as `POST /sim/faults`.
#[derive(Clone)]
pub struct Faults {
    pub(super) shared: Arc<Shared>,
}

impl Faults {
    pub fn set(&self, update: FaultConfig) -> FaultConfig {
        self.shared.apply_faults(update)
    }

    pub fn current(&self) -> FaultConfig {
        lock(&self.shared.faults).clone()
    }

    pub fn clear(&self) {
        *lock(&self.shared.faults) = FaultConfig::default();
    }

    /// The next `count` sends fail as `kind`.
    pub fn fail_sends(&self, count: u32, kind: SendFaultKind) {
        self.set(FaultConfig {
            send: Some(SendFault { kind, count }),
            ..Default::default()
        });
    }

    /// Enforces Telnyx's throughput limits (see [`SendLimits`]).
    pub fn limit_sends(&self, limits: SendLimits) {
        self.set(FaultConfig {
            limits: Some(limits),
            ..Default::default()
        });
    }

    pub fn server_error(&self, count: u32) {
        self.fail_sends(count, SendFaultKind::ServerError);
    }

    pub fn rate_limit(&self, count: u32, retry_after: Option<Duration>) {
        self.fail_sends(
            count,
            SendFaultKind::RateLimited {
                retry_after_seconds: retry_after.map(|after| after.as_secs()),
            },
        );
    }

    /// Refusals with Telnyx's `code`, answered 422.
    pub fn reject(&self, count: u32, code: &str) {
        self.fail_sends(
            count,
            SendFaultKind::Rejected {
                code: code.to_string(),
                status: default_reject_status(),
            },
        );
    }

    pub fn hang(&self, count: u32) {
        self.fail_sends(count, SendFaultKind::Hang { seconds: None });
    }

    pub fn accept_then_hang(&self, count: u32) {
        self.fail_sends(count, SendFaultKind::AcceptThenHang { seconds: None });
    }

    fn update_webhooks(&self, change: impl FnOnce(&mut WebhookFaults)) {
        let mut faults = lock(&self.shared.faults);
        let mut webhooks = faults.webhooks.clone().unwrap_or_default();
        change(&mut webhooks);
        faults.webhooks = Some(webhooks);
    }

    /// Every webhook is delivered `copies` times.
    pub fn duplicate_webhooks(&self, copies: u32) {
        self.update_webhooks(|webhooks| webhooks.duplicate = copies);
    }

    /// `message.finalized` arrives before `message.sent`.
    pub fn reorder_webhooks(&self, on: bool) {
        self.update_webhooks(|webhooks| webhooks.reorder = on);
    }

    pub fn delay_webhooks(&self, by: Duration) {
        let millis = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.update_webhooks(|webhooks| webhooks.delay_ms = millis);
    }

    pub fn drop_webhooks(&self, on: bool) {
        self.update_webhooks(|webhooks| webhooks.drop = on);
    }
}
