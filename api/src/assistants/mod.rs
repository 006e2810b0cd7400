//! Assistants: the AI's persona per tenant (system prompt, model, temperature); one may be
//! the tenant's default SMS assistant.

pub mod routes;
pub mod storage;

use diesel_async::AsyncConnection;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ids::AssistantId;
use crate::state::AppState;
use crate::text;
use crate::wire::{Assistant, Channel, CreateAssistant, UpdateAssistant};
use storage::{AssistantChanges, AssistantRow};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_PROMPT_CHARS: usize = 20_000;
pub const MAX_MODEL_CHARS: usize = 200;
pub const MIN_TEMPERATURE: f32 = 0.0;
pub const MAX_TEMPERATURE: f32 = 2.0;
pub const DEFAULT_TEMPERATURE: f32 = 0.4;
pub use crate::wire::DEFAULT_MAX_SEGMENTS;

#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("assistant not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<AssistantError> for ApiError {
    fn from(error: AssistantError) -> Self {
        match error {
            AssistantError::Invalid { field, message } => {
                ApiError::invalid("invalid_field", field, message)
            }
            AssistantError::NotFound => ApiError::not_found("assistant"),
            AssistantError::Database(error) => error.into(),
            AssistantError::Api(error) => error,
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> AssistantError {
    AssistantError::Invalid {
        field,
        message: message.into(),
    }
}

// Lengths count the text as sent; surrounding whitespace is trimmed once it passes.
fn check_name(name: &str) -> Result<String, AssistantError> {
    if text::is_blank(name) || text::length(name) > MAX_NAME_CHARS {
        return Err(invalid(
            "name",
            format!("a name of 1 to {MAX_NAME_CHARS} characters is required"),
        ));
    }
    Ok(name.trim().to_string())
}

fn check_prompt(prompt: &str) -> Result<String, AssistantError> {
    if text::is_blank(prompt) || text::length(prompt) > MAX_PROMPT_CHARS {
        return Err(invalid(
            "system_prompt",
            format!("a system prompt of 1 to {MAX_PROMPT_CHARS} characters is required"),
        ));
    }
    Ok(prompt.trim().to_string())
}

fn check_temperature(temperature: f32) -> Result<f32, AssistantError> {
    if !(MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(&temperature) {
        return Err(invalid("temperature", "temperature is between 0 and 2"));
    }
    Ok(temperature)
}

fn check_max_segments(segments: i32) -> Result<i32, AssistantError> {
    let limit = crate::sms::MAX_SEGMENTS as i32;
    if !(1..=limit).contains(&segments) {
        return Err(invalid(
            "max_segments",
            format!("max_segments is between 1 and {limit} (Telnyx refuses longer texts)"),
        ));
    }
    Ok(segments)
}

fn check_model(model: Option<String>) -> Result<Option<String>, AssistantError> {
    if model
        .as_deref()
        .is_some_and(|m| text::length(m) > MAX_MODEL_CHARS)
    {
        return Err(invalid(
            "model",
            format!("a model name has at most {MAX_MODEL_CHARS} characters"),
        ));
    }
    // A blank model is no model: the configured default.
    Ok(model
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty()))
}

/// A validated `POST /assistants`, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAssistant {
    pub name: String,
    pub system_prompt: String,
    pub model: Option<String>,
    pub temperature: f32,
    pub channel: Channel,
    pub is_default: bool,
    pub max_segments: i32,
}

impl TryFrom<CreateAssistant> for NewAssistant {
    type Error = AssistantError;

    fn try_from(input: CreateAssistant) -> Result<NewAssistant, AssistantError> {
        Ok(NewAssistant {
            name: check_name(&input.name)?,
            system_prompt: check_prompt(&input.system_prompt)?,
            model: check_model(input.model)?,
            temperature: check_temperature(input.temperature.unwrap_or(DEFAULT_TEMPERATURE))?,
            channel: input.channel.unwrap_or(Channel::Sms),
            is_default: input.is_default.unwrap_or(false),
            max_segments: check_max_segments(input.max_segments.unwrap_or(DEFAULT_MAX_SEGMENTS))?,
        })
    }
}

/// A validated `PATCH /assistants/{id}`: only the fields it names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssistantEdit {
    pub name: Option<String>,
    pub system_prompt: Option<String>,
    pub model: Option<Option<String>>,
    pub temperature: Option<f32>,
    pub is_default: Option<bool>,
    pub max_segments: Option<i32>,
}

impl TryFrom<UpdateAssistant> for AssistantEdit {
    type Error = AssistantError;

    fn try_from(input: UpdateAssistant) -> Result<AssistantEdit, AssistantError> {
        Ok(AssistantEdit {
            name: input.name.as_deref().map(check_name).transpose()?,
            system_prompt: input
                .system_prompt
                .as_deref()
                .map(check_prompt)
                .transpose()?,
            model: input.model.map(check_model).transpose()?,
            temperature: input.temperature.map(check_temperature).transpose()?,
            is_default: input.is_default,
            max_segments: input.max_segments.map(check_max_segments).transpose()?,
        })
    }
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateAssistant,
) -> Result<Assistant, AssistantError> {
    caller.require_admin()?;
    let input = NewAssistant::try_from(input)?;
    let now = state.clock.now();
    let row = AssistantRow {
        id: AssistantId::random(),
        tenant_id: caller.tenant_id,
        name: input.name,
        system_prompt: input.system_prompt,
        model: input.model,
        temperature: input.temperature,
        channel: input.channel,
        is_default: input.is_default,
        max_segments: input.max_segments,
        created_at: now,
        updated_at: now,
    };
    let mut conn = state.db().await?;
    conn.transaction::<_, AssistantError, _>(async |conn| {
        if row.is_default {
            storage::clear_default(conn, row.tenant_id, now).await?;
        }
        storage::insert(conn, &row).await?;
        Ok(())
    })
    .await?;
    Ok(row.into())
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: AssistantId,
    input: UpdateAssistant,
) -> Result<Assistant, AssistantError> {
    caller.require_admin()?;
    let edit = AssistantEdit::try_from(input)?;
    let now = state.clock.now();
    let changes = AssistantChanges {
        name: edit.name,
        system_prompt: edit.system_prompt,
        model: edit.model,
        temperature: edit.temperature,
        is_default: edit.is_default,
        max_segments: edit.max_segments,
        updated_at: Some(now),
    };
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let row = conn
        .transaction::<_, AssistantError, _>(async |conn| {
            storage::find(conn, tenant_id, id)
                .await?
                .ok_or(AssistantError::NotFound)?;
            if changes.is_default == Some(true) {
                storage::clear_default(conn, tenant_id, now).await?;
            }
            Ok(storage::update(conn, id, &changes).await?)
        })
        .await?;
    Ok(row.into())
}

pub async fn delete(
    state: &AppState,
    caller: &Caller,
    id: AssistantId,
) -> Result<(), AssistantError> {
    caller.require_admin()?;
    let mut conn = state.db().await?;
    if storage::delete(&mut conn, caller.tenant_id, id).await? {
        Ok(())
    } else {
        Err(AssistantError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CreateAssistant {
        CreateAssistant {
            name: " Front desk ".into(),
            system_prompt: "Be brief.".into(),
            model: Some("  ".into()),
            temperature: None,
            channel: None,
            is_default: None,
            max_segments: None,
        }
    }

    #[test]
    fn a_new_assistant_gets_the_defaults() {
        let assistant = NewAssistant::try_from(request()).unwrap();
        assert_eq!(assistant.name, "Front desk");
        assert_eq!(
            assistant.model, None,
            "a blank model is the configured default"
        );
        assert_eq!(assistant.temperature, DEFAULT_TEMPERATURE);
        assert_eq!(assistant.channel, Channel::Sms);
        assert_eq!(assistant.max_segments, DEFAULT_MAX_SEGMENTS);
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        let hot = CreateAssistant {
            temperature: Some(2.5),
            ..request()
        };
        assert!(matches!(
            NewAssistant::try_from(hot),
            Err(AssistantError::Invalid {
                field: "temperature",
                ..
            })
        ));
        let long = UpdateAssistant {
            max_segments: Some(11),
            ..Default::default()
        };
        assert!(matches!(
            AssistantEdit::try_from(long),
            Err(AssistantError::Invalid {
                field: "max_segments",
                ..
            })
        ));
    }
}
