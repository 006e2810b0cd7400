//! The `parley` command line: serve, migrate, and the admin commands that print the object
//! they created as one JSON line on stdout.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::app::Application;
use crate::clock::{Clock, SystemClock};
use crate::config::{self, ProcessEnv, Settings};
use crate::db::{self, DbPool};
use crate::ids::TenantId;
use crate::wire::{CreatePhoneNumber, NumberType, Role};
use crate::{api_keys, demo, ops, phone_numbers, tenants, users};

#[derive(Parser)]
#[command(
    name = "parley",
    version,
    about = "Parley: SMS conversations with an AI assistant"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending database migrations.
    Migrate,
    /// Serve the API, the web app and the background workers.
    Serve,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage a tenant's Telnyx numbers.
    #[command(name = "phone-number", subcommand)]
    PhoneNumber(PhoneNumberCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys.
    #[command(name = "api-key", subcommand)]
    ApiKey(ApiKeyCommand),
    /// Demo data for local trials.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Print the OpenAPI description as YAML.
    Openapi,
    /// Run the built-in carrier simulator (a fake of Telnyx's messages API) on its own.
    #[command(name = "carrier-sim")]
    CarrierSim {
        #[arg(long, default_value = "127.0.0.1:8081")]
        listen: std::net::SocketAddr,
        /// Where to post inbound messages (our `/webhooks/telnyx`).
        #[arg(long)]
        webhook_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant.
    Create {
        #[arg(long)]
        name: String,
        /// Region for reading national phone numbers (ISO 3166, e.g. US, CA, GB).
        #[arg(long, default_value = tenants::DEFAULT_REGION)]
        region: String,
        #[arg(long, default_value_t = tenants::DEFAULT_RESUME_WINDOW_DAYS)]
        resume_window_days: i32,
    },
}

#[derive(Subcommand)]
enum PhoneNumberCommand {
    /// Register a Telnyx number (E.164) for a tenant.
    Add {
        #[arg(long)]
        tenant: TenantId,
        #[arg(long)]
        number: String,
        #[arg(long)]
        messaging_profile_id: Option<String>,
        /// long_code (default), toll_free or short_code: decides the default sending rate.
        #[arg(long, value_parser = parse_number_type)]
        number_type: Option<NumberType>,
        /// The rate Telnyx granted the number (e.g. its 10DLC campaign's), messages a second.
        #[arg(long)]
        messages_per_second: Option<f64>,
    },
}

fn parse_number_type(text: &str) -> Result<NumberType, String> {
    NumberType::parse(text)
        .ok_or_else(|| format!("`{text}` is not long_code, toll_free or short_code"))
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user who signs in with email and password.
    Create {
        #[arg(long)]
        tenant: TenantId,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// The name the team sees (default: the email's part before `@`).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_parser = parse_role, default_value = "admin")]
        role: Role,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create an API key; its secret is printed this once.
    Create {
        #[arg(long)]
        tenant: TenantId,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role, default_value = "admin")]
        role: Role,
    },
}

/// `--role admin|agent`.
fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("`{text}` is not a role: use admin or agent"))
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Create the demo tenant, number and admin when missing; print the login.
    Seed,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("configuration: {0}")]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error(transparent)]
    Start(#[from] crate::app::StartError),
    #[error("{0}")]
    Failed(String),
}

fn failed(error: impl std::fmt::Display) -> CliError {
    CliError::Failed(error.to_string())
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print_json(value: &impl Serialize) -> Result<(), CliError> {
    let line = serde_json::to_string(value).map_err(failed)?;
    println!("{line}");
    Ok(())
}

/// Connects and migrates, so admin commands work on a fresh database too.
async fn prepared_pool() -> Result<DbPool, CliError> {
    let url = config::database_url(&ProcessEnv)?;
    db::run_migrations(&url).await?;
    Ok(db::build_pool(&url, 2)?)
}

async fn execute(command: Command) -> Result<(), CliError> {
    config::load_dotenv()?;
    let clock = SystemClock;
    match command {
        Command::Serve => serve().await,
        Command::Migrate => {
            ops::init_tracing(config::LogFormat::Text, "warn");
            let url = config::database_url(&ProcessEnv)?;
            let applied = db::run_migrations(&url).await?;
            print_json(&serde_json::json!({ "applied": applied }))
        }
        Command::CarrierSim {
            listen,
            webhook_url,
        } => {
            ops::init_tracing(config::LogFormat::Text, "info");
            crate::telnyx::simulator::run_cli(listen, webhook_url)
                .await
                .map_err(CliError::Failed)
        }
        Command::Openapi => {
            print!("{}", crate::openapi::yaml().map_err(failed)?);
            Ok(())
        }
        Command::Tenant(TenantCommand::Create {
            name,
            region,
            resume_window_days,
        }) => {
            let pool = prepared_pool().await?;
            let mut conn = pool.get().await.map_err(db::DbError::from)?;
            let input = tenants::NewTenant {
                name,
                region: Some(region),
                resume_window_days: Some(resume_window_days),
            };
            let tenant = tenants::create(&mut conn, input, clock.now())
                .await
                .map_err(failed)?;
            print_json(&tenant)
        }
        Command::PhoneNumber(PhoneNumberCommand::Add {
            tenant,
            number,
            messaging_profile_id,
            number_type,
            messages_per_second,
        }) => {
            let pool = prepared_pool().await?;
            let mut conn = pool.get().await.map_err(db::DbError::from)?;
            require_tenant(&mut conn, tenant).await?;
            let request = CreatePhoneNumber {
                number,
                messaging_profile_id,
                number_type,
                messages_per_second,
            };
            let added = phone_numbers::add(&mut conn, tenant, request, clock.now())
                .await
                .map_err(failed)?;
            print_json(&added)
        }
        Command::User(UserCommand::Create {
            tenant,
            email,
            password,
            name,
            role,
        }) => {
            let pool = prepared_pool().await?;
            let mut conn = pool.get().await.map_err(db::DbError::from)?;
            require_tenant(&mut conn, tenant).await?;
            let passwords = Arc::new(crate::auth::password::Passwords::new().map_err(failed)?);
            let input = users::NewUser {
                tenant_id: tenant,
                name,
                email,
                password,
                role,
            };
            let user = users::create(&mut conn, passwords, input, clock.now())
                .await
                .map_err(failed)?;
            print_json(&user)
        }
        Command::ApiKey(ApiKeyCommand::Create { tenant, name, role }) => {
            let pool = prepared_pool().await?;
            let mut conn = pool.get().await.map_err(db::DbError::from)?;
            require_tenant(&mut conn, tenant).await?;
            let created = api_keys::create(&mut conn, tenant, &name, role, clock.now())
                .await
                .map_err(failed)?;
            print_json(&created)
        }
        Command::Demo(DemoCommand::Seed) => {
            let pool = prepared_pool().await?;
            let public_url = std::env::var("PARLEY_PUBLIC_URL")
                .ok()
                .filter(|url| !url.is_empty())
                .unwrap_or_else(|| format!("http://{}", config::DEFAULT_LISTEN_ADDR));
            let login = demo::seed(&pool, &public_url, clock.now())
                .await
                .map_err(failed)?;
            print_json(&login)
        }
    }
}

async fn require_tenant(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: TenantId,
) -> Result<(), CliError> {
    tenants::storage::find(conn, tenant)
        .await
        .map_err(failed)?
        .map(|_| ())
        .ok_or_else(|| CliError::Failed(format!("no tenant has the id {tenant}")))
}

async fn serve() -> Result<(), CliError> {
    let settings = Settings::from_source(&ProcessEnv)?;
    ops::init_tracing(settings.log_format, "info");
    tracing::info!(settings = ?settings, "starting");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let application = Application::build(settings, clock).await?;
    tracing::info!(port = application.port(), "listening");
    application
        .run_until_stopped()
        .await
        .map_err(|error| CliError::Failed(format!("server: {error}")))?;
    tracing::info!("stopped");
    Ok(())
}
