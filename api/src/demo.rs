//! Demo data for `make run`: a tenant, a number and an admin, created once (idempotent).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::password::Passwords;
use crate::db::DbPool;
use crate::wire::{Role, Tenant};
use crate::{phone_numbers, tenants, users};

/// Fixed so that seeding twice finds the first seed.
pub const DEMO_TENANT_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_d001);
pub const DEMO_EMAIL: &str = "admin@demo.parley.test";
pub const DEMO_PASSWORD: &str = "parley-demo";
pub const DEMO_NUMBER: &str = "+14165550100";

#[derive(Debug, Serialize)]
pub struct DemoLogin {
    pub tenant_id: Uuid,
    pub url: String,
    pub email: String,
    pub password: String,
    pub phone_number: String,
}

pub async fn seed(
    pool: &DbPool,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<DemoLogin, String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let tenant = Tenant {
        id: DEMO_TENANT_ID,
        name: "Maple Dental (demo)".to_string(),
        default_region: "CA".to_string(),
        resume_window_days: tenants::DEFAULT_RESUME_WINDOW_DAYS,
        ai_idle_resume_minutes: tenants::DEFAULT_AI_IDLE_RESUME_MINUTES,
        created_at: now,
    };
    tenants::storage::insert(&mut conn, &tenant)
        .await
        .map_err(|e| e.to_string())?;
    match phone_numbers::add(&mut conn, DEMO_TENANT_ID, DEMO_NUMBER, None, now).await {
        Ok(_) | Err(phone_numbers::PhoneNumberError::Taken(_)) => {}
        Err(error) => return Err(error.to_string()),
    }
    if users::storage::find_for_login(&mut conn, DEMO_EMAIL)
        .await
        .map_err(|e| e.to_string())?
        .is_none()
    {
        let passwords = Arc::new(Passwords::new().map_err(|e| e.to_string())?);
        let admin = users::NewUser {
            tenant_id: DEMO_TENANT_ID,
            email: DEMO_EMAIL.to_string(),
            password: DEMO_PASSWORD.to_string(),
            role: Role::Admin,
        };
        match users::create(&mut conn, passwords, admin, now).await {
            Ok(_) | Err(users::UserError::EmailTaken(_)) => {}
            Err(error) => return Err(error.to_string()),
        }
    }
    Ok(DemoLogin {
        tenant_id: DEMO_TENANT_ID,
        url: public_url.to_string(),
        email: DEMO_EMAIL.to_string(),
        password: DEMO_PASSWORD.to_string(),
        phone_number: DEMO_NUMBER.to_string(),
    })
}
