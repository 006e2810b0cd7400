//! Typed settings read once from the environment (and an optional `.env` file).
//!
//! Every problem names the variable at fault, so a misconfigured start fails with a sentence,
//! not a panic.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use ed25519_dalek::VerifyingKey;

pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_TELNYX_API_BASE: &str = "https://api.telnyx.com";

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

impl ConfigError {
    fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            variable,
            reason: reason.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the environment comes from: the process, or a map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment; empty values count as unset.
pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
    }
}

impl Source for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        std::collections::HashMap::get(self, name)
            .cloned()
            .filter(|value| !value.trim().is_empty())
    }
}

/// Reads `.env` when present; variables already set in the environment win.
pub fn load_dotenv() -> Result<(), ConfigError> {
    match dotenvy::dotenv() {
        Ok(_) => Ok(()),
        Err(error) if error.not_found() => Ok(()),
        Err(error) => Err(ConfigError::new(".env", error.to_string())),
    }
}

pub fn database_url(source: &dyn Source) -> Result<String, ConfigError> {
    let url = source.get("DATABASE_URL").ok_or_else(|| {
        ConfigError::new(
            "DATABASE_URL",
            "is not set; give a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/parley",
        )
    })?;
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(ConfigError::new(
            "DATABASE_URL",
            "must be a postgres:// or postgresql:// URL",
        ));
    }
    Ok(url)
}

/// Telnyx's SMS limit of an account, messages a second, unless raised.
pub const DEFAULT_TELNYX_ACCOUNT_MESSAGES_PER_SECOND: f64 = 50.0;

/// Telnyx: the messages API we send through and the key its webhooks are signed with.
#[derive(Clone)]
pub struct TelnyxSettings {
    /// How long one send to Telnyx may take.
    pub timeout: Duration,
    /// `None` means the built-in carrier simulator is in use.
    pub api_key: Option<String>,
    pub public_key: Option<VerifyingKey>,
    pub api_base: String,
    /// The account's SMS limit (Telnyx: 50 a second unless raised).
    pub account_messages_per_second: f64,
    /// How far ahead of its rate a sender may run before the outbox paces it (Telnyx queues
    /// a short excess; a sustained one waits here).
    pub send_burst: Duration,
}

impl std::fmt::Debug for TelnyxSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelnyxSettings")
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("public_key", &self.public_key.is_some())
            .field("api_base", &self.api_base)
            .finish()
    }
}

/// How long a reply waits for a second message by default. Short, because a message that
/// arrives while the model is thinking also makes the reply wait for it (the reply job checks
/// again before it commits): the window is this plus the model's time.
pub const DEFAULT_AI_DEBOUNCE_MS: u64 = 500;
/// Database connections per instance: on a small machine more backends only compete for
/// the CPU (`make bench`'s AI burst is slower with 32 or 64 on 2 cores).
pub const DEFAULT_DB_POOL_SIZE: usize = 16;
/// How often an idle worker looks for due jobs; it is woken at once for its own instance's.
pub const DEFAULT_WORKER_POLL_MS: u64 = 1000;

/// The OpenAI-compatible provider; no base URL means the offline demo responder.
#[derive(Clone)]
pub struct AiSettings {
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub model: String,
    pub timeout: Duration,
    /// How long a reply waits for more messages from the customer (one reply answers all).
    pub debounce: Duration,
}

impl std::fmt::Debug for AiSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiSettings")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How long each kind of operational record is kept (see README, "What is kept").
#[derive(Debug, Clone)]
pub struct RetentionSettings {
    /// Webhook deliveries (the raw bodies of signed ones hold customers' texts and numbers).
    pub webhook_deliveries: chrono::Duration,
    /// Ids of processed webhook events: at least as long as Telnyx may deliver one again.
    pub processed_webhook_events: chrono::Duration,
    /// Jobs that are done or failed (their payloads hold message texts).
    pub finished_jobs: chrono::Duration,
    pub ai_generations: chrono::Duration,
}

/// Where media (MMS) bytes are kept: `PARLEY_MEDIA_STORE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaStoreSpec {
    /// A local folder (created when missing).
    Local(PathBuf),
    /// Any S3-compatible store: `s3://bucket/prefix`, with the `AWS_*` settings given.
    S3 {
        bucket: String,
        prefix: String,
        /// `(aws_… key in lowercase, value)` pairs: endpoint, credentials, region, allow_http.
        options: Vec<(String, String)>,
    },
}

/// The `AWS_*` variables passed to the S3 client (besides what it reads from the process).
pub const AWS_VARIABLES: &[&str] = &[
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ALLOW_HTTP",
    "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
];

pub const DEFAULT_MEDIA_STORE: &str = ".data/media";
/// 1 MB, the contract's default upload limit.
pub const DEFAULT_MEDIA_MAX_BYTES: usize = crate::mms::DEFAULT_MAX_UPLOAD_BYTES;

/// Pictures and files (MMS).
#[derive(Debug, Clone)]
pub struct MediaSettings {
    pub store: MediaStoreSpec,
    /// The largest upload (`PARLEY_MEDIA_MAX_BYTES`).
    pub max_bytes: usize,
    /// The largest item fetched from Telnyx for an inbound MMS.
    pub fetch_max_bytes: usize,
    /// How long one fetch from Telnyx may take.
    pub fetch_timeout: Duration,
    /// How long a signed link handed to Telnyx stays valid.
    pub link_ttl: Duration,
}

fn parse_media_store(source: &dyn Source) -> Result<MediaStoreSpec, ConfigError> {
    let text = source
        .get("PARLEY_MEDIA_STORE")
        .unwrap_or_else(|| DEFAULT_MEDIA_STORE.to_string());
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(ConfigError::new(
                "PARLEY_MEDIA_STORE",
                format!("`{text}` names no bucket; use s3://bucket/prefix"),
            ));
        }
        let options = AWS_VARIABLES
            .iter()
            .filter_map(|name| {
                source
                    .get(name)
                    .map(|value| (name.to_ascii_lowercase(), value))
            })
            .collect();
        return Ok(MediaStoreSpec::S3 {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            options,
        });
    }
    if text.contains("://") {
        return Err(ConfigError::new(
            "PARLEY_MEDIA_STORE",
            format!("`{text}` is neither a folder nor an s3://bucket/prefix URL"),
        ));
    }
    Ok(MediaStoreSpec::Local(PathBuf::from(text)))
}

/// Processed webhook event ids are kept at least this long, whatever the webhook retention,
/// so a late redelivery is still recognised as a duplicate.
pub const MIN_PROCESSED_EVENT_DAYS: i64 = 3;

#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    pub database_pool_size: usize,
    pub listen_addr: SocketAddr,
    /// `None`: derived from the address actually bound (port 0 in tests).
    pub public_url: Option<String>,
    pub jwt_secret: Vec<u8>,
    pub access_token_ttl: Duration,
    pub telnyx: TelnyxSettings,
    pub ai: AiSettings,
    pub log_format: LogFormat,
    /// How often idle job workers look for due jobs (they are also woken at once).
    pub worker_poll: Duration,
    /// How long feed events are kept for reconnecting clients.
    pub event_retention: chrono::Duration,
    pub retention: RetentionSettings,
    /// Job workers in this instance (0: this instance only serves HTTP); each runs a lane
    /// of sends and a lane of AI replies.
    pub workers: usize,
    /// Sends and receipts one worker runs at once.
    pub send_concurrency: usize,
    /// AI replies one worker runs at once (they mostly wait for the model).
    pub ai_concurrency: usize,
    /// How long a worker's claim on a job lasts unless renewed; it renews it while working,
    /// so this is how soon another instance takes over the jobs of one that died.
    pub job_lease: Duration,
    /// How long a message whose hand-over to Telnyx ended in doubt (a crash or a timeout
    /// after the request went out) waits for Telnyx's receipt before it is sent again.
    pub send_in_doubt_wait: Duration,
    /// Password hashes (argon2) this instance runs at once.
    pub hash_concurrency: usize,
    /// How long a sign-in waits for a hashing turn before it is answered 503 `busy`.
    pub hash_wait: Duration,
    /// A proxy we trust is in front: the client address is the last `X-Forwarded-For` hop.
    pub trust_forwarded_for: bool,
    /// The built SPA (`web/dist`); missing means the API serves without it.
    pub web_dist: PathBuf,
    pub media: MediaSettings,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen_addr", &self.listen_addr)
            .field("public_url", &self.public_url)
            .field("database_pool_size", &self.database_pool_size)
            .field("telnyx", &self.telnyx)
            .field("ai", &self.ai)
            .field("log_format", &self.log_format)
            .field("web_dist", &self.web_dist)
            .finish_non_exhaustive()
    }
}

fn parse_number<T: std::str::FromStr>(
    source: &dyn Source,
    variable: &'static str,
    default: T,
    valid: impl Fn(&T) -> bool,
    expectation: &str,
) -> Result<T, ConfigError> {
    match source.get(variable) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<T>()
            .ok()
            .filter(|value| valid(value))
            .ok_or_else(|| ConfigError::new(variable, format!("`{text}` is not {expectation}"))),
    }
}

fn parse_bool(source: &dyn Source, variable: &'static str) -> Result<bool, ConfigError> {
    match source
        .get(variable)
        .map(|text| text.trim().to_ascii_lowercase())
    {
        None => Ok(false),
        Some(text) => match text.as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(ConfigError::new(
                variable,
                format!("`{text}` is neither `true` nor `false`"),
            )),
        },
    }
}

fn parse_days(
    source: &dyn Source,
    variable: &'static str,
    default: i64,
) -> Result<chrono::Duration, ConfigError> {
    parse_number(
        source,
        variable,
        default,
        |days| (1..=3650).contains(days),
        "a number of days between 1 and 3650",
    )
    .map(chrono::Duration::days)
}

fn parse_http_url(
    source: &dyn Source,
    variable: &'static str,
) -> Result<Option<String>, ConfigError> {
    match source.get(variable) {
        None => Ok(None),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(Some(url.trim_end_matches('/').to_string()))
        }
        Some(url) => Err(ConfigError::new(
            variable,
            format!("`{url}` is not an http:// or https:// URL"),
        )),
    }
}

pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| "is not valid base64".to_string())?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "must decode to 32 bytes (an Ed25519 public key)".to_string())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "is not a valid Ed25519 public key".to_string())
}

impl Settings {
    pub fn from_source(source: &dyn Source) -> Result<Settings, ConfigError> {
        let database_url = database_url(source)?;
        let database_pool_size = parse_number(
            source,
            "PARLEY_DB_POOL_SIZE",
            DEFAULT_DB_POOL_SIZE,
            |size| (1..=1000).contains(size),
            "a pool size between 1 and 1000",
        )?;
        let listen_text = source
            .get("PARLEY_LISTEN_ADDR")
            .unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_string());
        let listen_addr: SocketAddr = listen_text.trim().parse().map_err(|_| {
            ConfigError::new(
                "PARLEY_LISTEN_ADDR",
                format!("`{listen_text}` is not an address like 127.0.0.1:8080"),
            )
        })?;
        let public_url = parse_http_url(source, "PARLEY_PUBLIC_URL")?;
        let jwt_secret = source.get("PARLEY_JWT_SECRET").ok_or_else(|| {
            ConfigError::new(
                "PARLEY_JWT_SECRET",
                "is not set; give a random secret of at least 32 characters (e.g. `openssl rand -hex 32`)",
            )
        })?;
        if jwt_secret.len() < 32 {
            return Err(ConfigError::new(
                "PARLEY_JWT_SECRET",
                "must be at least 32 characters long",
            ));
        }
        let ttl_seconds = parse_number(
            source,
            "PARLEY_ACCESS_TOKEN_TTL_SECONDS",
            8 * 3600u64,
            |ttl| (60..=30 * 86400).contains(ttl),
            "a number of seconds between 60 and 2592000",
        )?;
        let public_key = source
            .get("TELNYX_PUBLIC_KEY")
            .map(|text| {
                parse_public_key(&text).map_err(|e| ConfigError::new("TELNYX_PUBLIC_KEY", e))
            })
            .transpose()?;
        let telnyx = TelnyxSettings {
            timeout: Duration::from_secs(parse_number(
                source,
                "TELNYX_TIMEOUT_SECONDS",
                15u64,
                |timeout| (1..=60).contains(timeout),
                "a number of seconds between 1 and 60",
            )?),
            api_key: source.get("TELNYX_API_KEY"),
            public_key,
            api_base: parse_http_url(source, "TELNYX_API_BASE")?
                .unwrap_or_else(|| DEFAULT_TELNYX_API_BASE.to_string()),
            account_messages_per_second: parse_number(
                source,
                "TELNYX_ACCOUNT_MESSAGES_PER_SECOND",
                DEFAULT_TELNYX_ACCOUNT_MESSAGES_PER_SECOND,
                |rate| (0.1..=100_000.0).contains(rate),
                "a rate between 0.1 and 100000 messages a second",
            )?,
            send_burst: Duration::from_millis(parse_number(
                source,
                "PARLEY_SEND_BURST_MS",
                5_000u64,
                |ms| *ms <= 3_600_000,
                "a number of milliseconds between 0 and 3600000",
            )?),
        };
        let ai_timeout = parse_number(
            source,
            "PARLEY_AI_TIMEOUT_SECONDS",
            30u64,
            |timeout| (1..=600).contains(timeout),
            "a number of seconds between 1 and 600",
        )?;
        let ai = AiSettings {
            base_url: parse_http_url(source, "PARLEY_AI_BASE_URL")?,
            api_key: source.get("PARLEY_AI_API_KEY"),
            model: source
                .get("PARLEY_AI_MODEL")
                .unwrap_or_else(|| "gpt-4o-mini".to_string()),
            timeout: Duration::from_secs(ai_timeout),
            debounce: Duration::from_millis(parse_number(
                source,
                "PARLEY_AI_DEBOUNCE_MS",
                DEFAULT_AI_DEBOUNCE_MS,
                |ms| *ms <= 60_000,
                "a number of milliseconds up to 60000",
            )?),
        };
        let log_format = match source.get("LOG_FORMAT").as_deref() {
            None | Some("text") | Some("pretty") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::new(
                    "LOG_FORMAT",
                    format!("`{other}` is neither `json` nor `text`"),
                ))
            }
        };
        Ok(Settings {
            database_url,
            database_pool_size,
            listen_addr,
            public_url,
            jwt_secret: jwt_secret.into_bytes(),
            access_token_ttl: Duration::from_secs(ttl_seconds),
            telnyx,
            ai,
            log_format,
            worker_poll: Duration::from_millis(parse_number(
                source,
                "PARLEY_WORKER_POLL_MS",
                DEFAULT_WORKER_POLL_MS,
                |ms| (10..=60_000).contains(ms),
                "a number of milliseconds between 10 and 60000",
            )?),
            event_retention: chrono::Duration::hours(parse_number(
                source,
                "PARLEY_EVENT_RETENTION_HOURS",
                168i64,
                |hours| (1..=24 * 365).contains(hours),
                "a number of hours between 1 and 8760",
            )?),
            retention: {
                let webhook_deliveries = parse_days(source, "PARLEY_RETENTION_WEBHOOK_DAYS", 30)?;
                RetentionSettings {
                    webhook_deliveries,
                    processed_webhook_events: webhook_deliveries
                        .max(chrono::Duration::days(MIN_PROCESSED_EVENT_DAYS)),
                    finished_jobs: parse_days(source, "PARLEY_RETENTION_JOBS_DAYS", 14)?,
                    ai_generations: parse_days(source, "PARLEY_RETENTION_AI_GENERATIONS_DAYS", 90)?,
                }
            },
            workers: parse_number(
                source,
                "PARLEY_WORKERS",
                1usize,
                |count| *count <= 64,
                "a number of workers between 0 and 64",
            )?,
            send_concurrency: parse_number(
                source,
                "PARLEY_SEND_CONCURRENCY",
                128usize,
                |count| (1..=1024).contains(count),
                "a number of concurrent sends between 1 and 1024",
            )?,
            ai_concurrency: parse_number(
                source,
                "PARLEY_AI_CONCURRENCY",
                256usize,
                |count| (1..=4096).contains(count),
                "a number of concurrent AI replies between 1 and 4096",
            )?,
            job_lease: Duration::from_secs(parse_number(
                source,
                "PARLEY_JOB_LEASE_SECONDS",
                30u64,
                |seconds| (2..=3600).contains(seconds),
                "a number of seconds between 2 and 3600",
            )?),
            send_in_doubt_wait: Duration::from_secs(parse_number(
                source,
                "PARLEY_SEND_IN_DOUBT_SECONDS",
                120u64,
                |seconds| (1..=86_400).contains(seconds),
                "a number of seconds between 1 and 86400",
            )?),
            hash_concurrency: parse_number(
                source,
                "PARLEY_HASH_CONCURRENCY",
                crate::auth::password::default_concurrency(),
                |count| (1..=256).contains(count),
                "a number between 1 and 256",
            )?,
            hash_wait: Duration::from_millis(parse_number(
                source,
                "PARLEY_HASH_WAIT_MS",
                crate::auth::password::DEFAULT_WAIT.as_millis() as u64,
                |ms| *ms <= 60_000,
                "a number of milliseconds up to 60000",
            )?),
            trust_forwarded_for: parse_bool(source, "PARLEY_TRUST_FORWARDED_FOR")?,
            web_dist: source
                .get("PARLEY_WEB_DIST")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("web/dist")),
            media: MediaSettings {
                store: parse_media_store(source)?,
                max_bytes: parse_number(
                    source,
                    "PARLEY_MEDIA_MAX_BYTES",
                    DEFAULT_MEDIA_MAX_BYTES,
                    |bytes| (1..=100 * 1024 * 1024).contains(bytes),
                    "a number of bytes between 1 and 104857600",
                )?,
                fetch_max_bytes: parse_number(
                    source,
                    "PARLEY_MEDIA_FETCH_MAX_BYTES",
                    10 * 1024 * 1024usize,
                    |bytes| (1..=100 * 1024 * 1024).contains(bytes),
                    "a number of bytes between 1 and 104857600",
                )?,
                fetch_timeout: Duration::from_secs(parse_number(
                    source,
                    "PARLEY_MEDIA_FETCH_TIMEOUT_SECONDS",
                    30u64,
                    |seconds| (1..=600).contains(seconds),
                    "a number of seconds between 1 and 600",
                )?),
                link_ttl: Duration::from_secs(parse_number(
                    source,
                    "PARLEY_MEDIA_LINK_TTL_SECONDS",
                    24 * 3600u64,
                    |seconds| (60..=7 * 86_400).contains(seconds),
                    "a number of seconds between 60 and 604800",
                )?),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn minimal() -> HashMap<String, String> {
        env(&[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1/parley"),
            ("PARLEY_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
    }

    #[test]
    fn defaults_apply() {
        let settings = Settings::from_source(&minimal()).expect("valid");
        assert_eq!(settings.listen_addr.to_string(), DEFAULT_LISTEN_ADDR);
        assert_eq!(settings.telnyx.api_base, DEFAULT_TELNYX_API_BASE);
        assert!(settings.telnyx.api_key.is_none());
        assert!(settings.ai.base_url.is_none());
        assert_eq!(settings.public_url, None);
        assert_eq!(settings.retention.webhook_deliveries.num_days(), 30);
        assert_eq!(settings.retention.finished_jobs.num_days(), 14);
        assert_eq!(settings.retention.ai_generations.num_days(), 90);
        assert!(!settings.trust_forwarded_for);
        assert!(settings.hash_concurrency >= 2);
        assert_eq!(
            settings.media.store,
            MediaStoreSpec::Local(PathBuf::from(DEFAULT_MEDIA_STORE))
        );
        assert_eq!(settings.media.max_bytes, 1024 * 1024);
    }

    #[test]
    fn an_s3_media_store_takes_the_aws_settings() {
        let mut source = minimal();
        source.insert(
            "PARLEY_MEDIA_STORE".into(),
            "s3://bucket/some/prefix/".into(),
        );
        source.insert("AWS_ENDPOINT_URL".into(), "http://127.0.0.1:9000".into());
        source.insert("AWS_ALLOW_HTTP".into(), "true".into());
        let settings = Settings::from_source(&source).expect("valid");
        assert_eq!(
            settings.media.store,
            MediaStoreSpec::S3 {
                bucket: "bucket".into(),
                prefix: "some/prefix".into(),
                options: vec![
                    ("aws_endpoint_url".into(), "http://127.0.0.1:9000".into()),
                    ("aws_allow_http".into(), "true".into()),
                ],
            }
        );
    }

    #[test]
    fn processed_event_ids_outlive_a_short_webhook_retention() {
        let mut source = minimal();
        source.insert("PARLEY_RETENTION_WEBHOOK_DAYS".into(), "1".into());
        let settings = Settings::from_source(&source).expect("valid");
        assert_eq!(settings.retention.webhook_deliveries.num_days(), 1);
        assert_eq!(
            settings.retention.processed_webhook_events.num_days(),
            MIN_PROCESSED_EVENT_DAYS
        );
    }

    #[test]
    fn each_problem_names_its_variable() {
        let cases: &[(&str, &str)] = &[
            ("DATABASE_URL", "mysql://x"),
            ("PARLEY_LISTEN_ADDR", "localhost"),
            ("PARLEY_JWT_SECRET", "short"),
            ("TELNYX_PUBLIC_KEY", "not base64!"),
            ("TELNYX_API_BASE", "ftp://x"),
            ("PARLEY_AI_BASE_URL", "nope"),
            ("LOG_FORMAT", "yaml"),
            ("PARLEY_DB_POOL_SIZE", "0"),
            ("PARLEY_RETENTION_WEBHOOK_DAYS", "0"),
            ("PARLEY_RETENTION_JOBS_DAYS", "forever"),
            ("PARLEY_RETENTION_AI_GENERATIONS_DAYS", "-1"),
            ("PARLEY_HASH_CONCURRENCY", "0"),
            ("PARLEY_HASH_WAIT_MS", "soon"),
            ("PARLEY_TRUST_FORWARDED_FOR", "maybe"),
            ("PARLEY_MEDIA_STORE", "s3:///prefix"),
            ("PARLEY_MEDIA_STORE", "gs://bucket"),
            ("PARLEY_MEDIA_MAX_BYTES", "0"),
        ];
        for (variable, value) in cases {
            let mut source = minimal();
            source.insert(variable.to_string(), value.to_string());
            let error = Settings::from_source(&source).expect_err(variable);
            assert_eq!(error.variable, *variable, "{error}");
        }
        let mut source = minimal();
        source.remove("PARLEY_JWT_SECRET");
        assert_eq!(
            Settings::from_source(&source)
                .expect_err("missing")
                .variable,
            "PARLEY_JWT_SECRET"
        );
    }

    #[test]
    fn public_key_must_be_32_bytes() {
        assert!(parse_public_key("AAAA").is_err());
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        // Not every 32-byte string is a curve point, but this one decodes or fails cleanly.
        let _ = parse_public_key(&key);
    }
}
