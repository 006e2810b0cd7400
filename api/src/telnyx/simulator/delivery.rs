//! Posting signed webhooks: receipts of accepted messages and inbound messages, three
//! attempts per URL as Telnyx makes them, duplicated, reordered, delayed or dropped as the
//! faults say.

use super::*;

impl Shared {
    pub(super) fn webhook_url(&self) -> Option<String> {
        lock(&self.webhook_url).clone()
    }

    pub(super) fn webhook_faults(&self) -> WebhookFaults {
        lock(&self.faults).webhooks.clone().unwrap_or_default()
    }

    /// The fault for this send, if one is pending; counts it down.
    pub(super) fn take_send_fault(&self) -> Option<SendFaultKind> {
        let mut faults = lock(&self.faults);
        let pending = faults.send.as_mut()?;
        if pending.count == 0 {
            faults.send = None;
            return None;
        }
        pending.count -= 1;
        let kind = pending.kind.clone();
        if pending.count == 0 {
            faults.send = None;
        }
        Some(kind)
    }

    pub(super) fn apply_faults(&self, update: FaultConfig) -> FaultConfig {
        let mut faults = lock(&self.faults);
        if update.send.is_some() {
            faults.send = update.send.filter(|fault| fault.count > 0);
        }
        if update.webhooks.is_some() {
            faults.webhooks = update.webhooks;
        }
        if update.limits.is_some() {
            faults.limits = update.limits;
        }
        faults.clone()
    }

    /// Which limit a send from `from` now would break, counting the last second's sends.
    pub(super) fn limit_reached(&self, from: &str, now: DateTime<Utc>) -> Option<LimitReached> {
        let limits = lock(&self.faults).limits.clone()?;
        let since = now - chrono::Duration::seconds(1);
        let messages = lock(&self.messages);
        let recent = messages.iter().rev().take_while(|m| m.accepted_at > since);
        let (mut account, mut number) = (0u32, 0u32);
        for message in recent {
            account += 1;
            if message.from == from {
                number += 1;
            }
        }
        if limits
            .account_per_second
            .is_some_and(|limit| account >= limit)
        {
            return Some(LimitReached::Account);
        }
        if limits
            .number_per_second
            .is_some_and(|limit| number >= limit)
        {
            return Some(LimitReached::Number);
        }
        None
    }

    pub(super) fn hang_for(&self, seconds: Option<u64>) -> Duration {
        seconds.map(Duration::from_secs).unwrap_or(self.config.hang)
    }

    /// Posts one event to the first URL that takes it, trying each up to three times.
    pub(super) async fn deliver(&self, urls: &[String], mut event: WebhookEvent) -> Outcome {
        let mut last = Outcome {
            status: None,
            error: Some("no webhook URL".to_string()),
            attempts: 0,
        };
        let mut attempts = 0;
        for url in urls {
            for attempt in 1..=ATTEMPTS_PER_URL {
                if attempt > 1 {
                    tokio::time::sleep(self.config.retry_backoff).await;
                }
                attempts += 1;
                event.meta = Some(WebhookMeta {
                    attempt: Some(attempt),
                    delivered_to: Some(url.clone()),
                });
                let (status, error) = self.post_once(url, &event).await;
                lock(&self.deliveries).push(WebhookDelivery {
                    event_id: event.id().to_string(),
                    event_type: event.data.event_type.clone(),
                    message_id: event.message_id().to_string(),
                    url: url.clone(),
                    attempt,
                    status,
                    error: error.clone(),
                    at: Utc::now(),
                });
                last = Outcome {
                    status,
                    error,
                    attempts,
                };
                if last.succeeded() {
                    return last;
                }
            }
        }
        last
    }

    pub(super) async fn post_once(
        &self,
        url: &str,
        event: &WebhookEvent,
    ) -> (Option<u16>, Option<String>) {
        let body = match serde_json::to_vec(event) {
            Ok(body) => body,
            Err(error) => return (None, Some(error.to_string())),
        };
        let timestamp = Utc::now().timestamp();
        let signature = signature::sign(&self.signing_key, timestamp, &body);
        let sent = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                (Some(response.status().as_u16()), None)
            }
            Ok(response) => {
                let status = response.status().as_u16();
                (Some(status), Some(format!("HTTP {status}")))
            }
            Err(error) => (None, Some(error.without_url().to_string())),
        }
    }

    /// Delivers `event` as the webhook faults say; answers the first copy's outcome.
    pub(super) async fn deliver_with_faults(
        &self,
        urls: &[String],
        event: WebhookEvent,
        faults: &WebhookFaults,
    ) -> Option<Outcome> {
        if faults.drop {
            return None;
        }
        if faults.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(faults.delay_ms)).await;
        }
        let mut first = None;
        for _ in 0..faults.duplicate.max(1) {
            let outcome = self.deliver(urls, event.clone()).await;
            first.get_or_insert(outcome);
        }
        first
    }

    /// `message.sent` then `message.finalized` (or the other way round, as faults say).
    pub(super) async fn send_receipts(self: Arc<Self>, record: MessageRecord, urls: Vec<String>) {
        let faults = self.webhook_faults();
        let fails = record
            .to_number()
            .is_some_and(|number| number.ends_with(FAILING_SUFFIX));
        tokio::time::sleep(self.config.receipt_delay).await;
        let sent_at = Utc::now();
        let mut sent = record;
        set_status(&mut sent, DeliveryStatus::Sent);
        sent.sent_at = Some(format_timestamp(sent_at));
        let sent_event = WebhookEvent::new(EventType::MessageSent, sent.clone(), sent_at);

        let completed_at = sent_at + chrono::Duration::milliseconds(1);
        let mut finalized = sent;
        finalized.completed_at = Some(format_timestamp(completed_at));
        if fails {
            set_status(&mut finalized, DeliveryStatus::DeliveryFailed);
            finalized.errors = vec![TelnyxErrorObject::new(
                "40008",
                "Undeliverable",
                "The recipient's carrier did not accept the message (simulated: destinations ending in 0000 always fail).",
            )];
        } else {
            set_status(&mut finalized, DeliveryStatus::Delivered);
        }
        let finalized_event =
            WebhookEvent::new(EventType::MessageFinalized, finalized, completed_at);

        let events = if faults.reorder {
            [finalized_event, sent_event]
        } else {
            [sent_event, finalized_event]
        };
        for (index, event) in events.into_iter().enumerate() {
            if index > 0 {
                tokio::time::sleep(self.config.receipt_delay).await;
            }
            self.deliver_with_faults(&urls, event, &faults).await;
        }
    }

    pub(super) async fn inbound(
        &self,
        request: InboundRequest,
    ) -> Result<InboundResult, SimulatorError> {
        let number = |field: &'static str, text: &str| {
            E164::parse_e164(text).map_err(|error| SimulatorError::InvalidNumber {
                field,
                reason: error.to_string(),
            })
        };
        let from = number("from", &request.from)?;
        let to = number("to", &request.to)?;
        let url = self.webhook_url().ok_or(SimulatorError::NoWebhookUrl)?;
        let now = Utc::now();
        let info = sms::analyze(&request.text);
        let record = MessageRecord {
            id: uuid::Uuid::new_v4().to_string(),
            record_type: Some("message".to_string()),
            direction: Some("inbound".to_string()),
            from: Some(Endpoint {
                phone_number: Some(from.into_string()),
                carrier: Some(CARRIER.to_string()),
                line_type: Some("Wireless".to_string()),
            }),
            to: vec![Recipient {
                phone_number: Some(to.into_string()),
                status: Some("webhook_delivered".to_string()),
                carrier: Some("Telnyx".to_string()),
                line_type: Some("VoIP".to_string()),
            }],
            text: Some(request.text.clone()),
            encoding: Some(info.encoding.as_str().to_string()),
            parts: Some(info.segments.max(1)),
            r#type: Some(message_type(&request.media_urls).to_string()),
            received_at: Some(format_timestamp(now)),
            messaging_profile_id: Some(self.messaging_profile_id.clone()),
            media: self.inbound_media(&request.media_urls),
            webhook_url: Some(url.clone()),
            ..MessageRecord::default()
        };
        let event = WebhookEvent::new(EventType::MessageReceived, record, now);
        let (id, event_id) = (event.message_id().to_string(), event.id().to_string());
        let outcome = self
            .deliver_with_faults(&[url], event, &self.webhook_faults())
            .await;
        Ok(match outcome {
            Some(outcome) => InboundResult {
                id,
                event_id,
                status: outcome.status,
                attempts: outcome.attempts,
                dropped: false,
                error: outcome.error,
            },
            None => InboundResult {
                id,
                event_id,
                status: None,
                attempts: 0,
                dropped: true,
                error: None,
            },
        })
    }
}

/// How the delivery of one event ended: the last attempt's answer.
pub(super) struct Outcome {
    pub(super) status: Option<u16>,
    pub(super) error: Option<String>,
    pub(super) attempts: u32,
}

impl Outcome {
    pub(super) fn succeeded(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

pub(super) fn set_status(record: &mut MessageRecord, status: DeliveryStatus) {
    for recipient in &mut record.to {
        recipient.status = Some(status.as_str().to_string());
    }
}

pub(super) fn message_type(media_urls: &[String]) -> &'static str {
    if media_urls.is_empty() {
        "SMS"
    } else {
        "MMS"
    }
}

pub(super) fn media(urls: &[String]) -> Vec<Media> {
    urls.iter()
        .map(|url| Media {
            url: Some(url.clone()),
            ..Media::default()
        })
        .collect()
}
