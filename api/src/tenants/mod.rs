//! Tenants: the businesses that use Parley. Each owns its numbers, people and data.

pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::error::ApiError;
use crate::ids::TenantId;
use crate::phone::parse_region;
use crate::wire::Tenant;

pub const DEFAULT_REGION: &str = "US";
pub const DEFAULT_RESUME_WINDOW_DAYS: i32 = 30;
pub const DEFAULT_AI_IDLE_RESUME_MINUTES: i32 = 60;

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

impl From<TenantError> for ApiError {
    fn from(error: TenantError) -> Self {
        match error {
            TenantError::Invalid { field, message } => {
                ApiError::invalid("invalid_field", field, message)
            }
            TenantError::Database(error) => error.into(),
        }
    }
}

pub struct NewTenant {
    pub name: String,
    pub region: Option<String>,
    pub resume_window_days: Option<i32>,
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    input: NewTenant,
    now: DateTime<Utc>,
) -> Result<Tenant, TenantError> {
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(TenantError::Invalid {
            field: "name",
            message: "a tenant name of 1 to 200 characters is required".into(),
        });
    }
    let region = input
        .region
        .unwrap_or_else(|| DEFAULT_REGION.to_string())
        .trim()
        .to_ascii_uppercase();
    parse_region(&region).map_err(|error| TenantError::Invalid {
        field: "region",
        message: error.to_string(),
    })?;
    let window = input
        .resume_window_days
        .unwrap_or(DEFAULT_RESUME_WINDOW_DAYS);
    if !(1..=3650).contains(&window) {
        return Err(TenantError::Invalid {
            field: "resume_window_days",
            message: "the resume window must be between 1 and 3650 days".into(),
        });
    }
    let tenant = Tenant {
        id: TenantId::random(),
        name,
        default_region: region,
        resume_window_days: window,
        ai_idle_resume_minutes: DEFAULT_AI_IDLE_RESUME_MINUTES,
        auto_assign_on_reply: true,
        created_at: now,
    };
    storage::insert(conn, &tenant).await?;
    let zone = crate::settings::zone_of_region(&tenant.default_region);
    crate::settings::storage::set_time_zone(conn, tenant.id, zone).await?;
    Ok(tenant)
}
