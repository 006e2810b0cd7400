//! Checks a `POST /v2/messages` as Telnyx does: the bearer token, then the body, refusing
//! with Telnyx's status, code, title and documentation link.

use super::*;

/// A refused send: Telnyx's status and error, with its title and documentation link.
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    /// Boxed: the error is large and refusals are the rare path.
    pub(super) error: Box<TelnyxErrorObject>,
}

impl Refusal {
    pub(super) fn new(
        status: StatusCode,
        code: &str,
        detail: impl Into<String>,
        pointer: Option<&str>,
    ) -> Self {
        let mut error = TelnyxErrorObject::new(code, error_title(code).unwrap_or("Error"), detail);
        if let Some(pointer) = pointer {
            error = error.at(pointer);
        }
        error.meta = Some(ErrorMeta {
            url: Some(format!(
                "https://developers.telnyx.com/docs/overview/errors/{code}"
            )),
        });
        Refusal {
            status,
            error: Box::new(error),
        }
    }

    pub(super) fn response(self) -> HttpResponse {
        HttpResponse::build(self.status).json(TelnyxErrorBody::single(*self.error))
    }
}

/// Telnyx's error body for `code`.
pub(super) fn telnyx_error(status: StatusCode, code: &str, detail: &str) -> HttpResponse {
    Refusal::new(status, code, detail, None).response()
}

/// A send as the simulator read it, after Telnyx's checks.
pub(super) struct ValidSend {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) text: String,
    pub(super) media_urls: Vec<String>,
    pub(super) subject: Option<String>,
    pub(super) messaging_profile_id: Option<String>,
    pub(super) webhook_url: Option<String>,
    pub(super) webhook_failover_url: Option<String>,
    pub(super) use_profile_webhooks: bool,
}

/// Telnyx's checks of `POST /v2/messages`. Telnyx documents 40310 as HTTP 400; we answer the
/// other 403xx refusals the same way and missing fields with 422.
pub(super) fn validate(body: &[u8]) -> Result<ValidSend, Refusal> {
    let refuse = |status: StatusCode, code: &str, detail: String, pointer: &str| {
        Refusal::new(status, code, detail, Some(pointer))
    };
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "10015",
            format!("The request body is not valid JSON: {error}"),
            None,
        )
    })?;
    let Value::Object(fields) = value else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "10015",
            "The request body must be a JSON object.",
            None,
        ));
    };
    let text_field = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
    };
    // `to` may be a string or an array of exactly one (Telnyx has no multi-destination send).
    let to = match fields.get("to") {
        None | Some(Value::Null) => None,
        Some(Value::String(to)) => Some(to.trim().to_string()).filter(|to| !to.is_empty()),
        Some(Value::Array(items)) if items.len() == 1 => items[0].as_str().map(str::to_string),
        Some(_) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "40310",
                "The 'to' address should be a single valid number.".to_string(),
                "/to",
            ))
        }
    };
    let Some(to) = to else {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "10004",
            "The 'to' parameter is required.".to_string(),
            "/to",
        ));
    };
    let Some(from) = text_field("from") else {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "10004",
            "The 'from' parameter is required when sending from a phone number.".to_string(),
            "/from",
        ));
    };
    let from = E164::parse_e164(&from).map_err(|error| {
        refuse(
            StatusCode::BAD_REQUEST,
            "40305",
            format!("Invalid 'from' address: {error}"),
            "/from",
        )
    })?;
    let to = E164::parse_e164(&to).map_err(|error| {
        refuse(
            StatusCode::BAD_REQUEST,
            "40310",
            format!("The 'to' address must be a valid +E.164 number: {error}"),
            "/to",
        )
    })?;
    let text = fields
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let media_urls: Vec<String> = match fields.get("media_urls") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "40317",
                    "'media_urls' must be an array of URLs.".to_string(),
                    "/media_urls",
                )
            })?,
        Some(_) => {
            return Err(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "40317",
                "'media_urls' must be an array of URLs.".to_string(),
                "/media_urls",
            ))
        }
    };
    if text.trim().is_empty() && media_urls.is_empty() {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "40316",
            "Provide 'text' (SMS) or 'media_urls' (MMS).".to_string(),
            "/text",
        ));
    }
    if media_urls.len() > MAX_MEDIA_URLS || media_urls.iter().any(|url| check_url(url).is_err()) {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "40317",
            format!("An MMS takes at most {MAX_MEDIA_URLS} http(s) media URLs."),
            "/media_urls",
        ));
    }
    if media_urls.is_empty() {
        let parts = sms::analyze(&text).segments;
        if parts > MAX_PARTS {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "40302",
                format!("The SMS message would be divided into {parts} parts. The maximum is {MAX_PARTS}."),
                "/text",
            ));
        }
    }
    let mut urls = Vec::new();
    for (name, pointer) in [
        ("webhook_url", "/webhook_url"),
        ("webhook_failover_url", "/webhook_failover_url"),
    ] {
        let url = match text_field(name) {
            Some(url) => Some(check_url(&url).map_err(|_| {
                refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "10003",
                    format!("'{name}' is not a valid http(s) URL."),
                    pointer,
                )
            })?),
            None => None,
        };
        urls.push(url);
    }
    let webhook_failover_url = urls.pop().flatten();
    let webhook_url = urls.pop().flatten();
    Ok(ValidSend {
        from: from.into_string(),
        to: to.into_string(),
        text,
        media_urls,
        subject: text_field("subject"),
        messaging_profile_id: text_field("messaging_profile_id"),
        webhook_url,
        webhook_failover_url,
        use_profile_webhooks: fields
            .get("use_profile_webhooks")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    })
}

pub(super) fn authorized(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| !token.trim().is_empty())
        })
        .unwrap_or(false)
}
