//! Parsing and checking untrusted frames: never panics, and turns every
//! kind of bad input into an [`ErrorCode`] a client can act on.

use serde::de::DeserializeOwned;

use super::{ErrorBody, ErrorCode, MAX_CLIENT_ID_CHARS, MAX_FRAME_BYTES, MAX_TEXT_CHARS};

/// Longest email address accepted.
pub const MAX_EMAIL_CHARS: usize = 254;

/// Checks that an email address is plausible: something@domain.tld, no
/// spaces. (Deliverability can only be known by writing to it.)
pub fn validate_email(email: &str) -> Result<(), ErrorBody> {
    let email = email.trim();
    let domain_ok = |d: &str| d.contains('.') && !d.starts_with('.') && !d.ends_with('.');
    let plausible = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain_ok(domain));
    if plausible {
        Ok(())
    } else {
        Err(ErrorBody::with_message(
            ErrorCode::InvalidField,
            "That does not look like an email address; please check it.",
        ))
    }
}

/// Longest CSAT comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// Parses one text frame into `T`, or says precisely what is wrong with it.
///
/// `known_types` are the `type` values `T` accepts; anything else is
/// `unknown_type` rather than a generic parse error. Field values are checked
/// by [`validate_client_id`] and [`validate_text`] where the caller needs them.
pub fn parse_frame<T: DeserializeOwned>(text: &str, known_types: &[&str]) -> Result<T, ErrorBody> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(ErrorBody::with_message(
            ErrorCode::TooLarge,
            format!("Frames may be at most {MAX_FRAME_BYTES} bytes."),
        ));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ErrorBody::with_message(
            ErrorCode::BadJson,
            format!("The frame is not valid JSON: {e}."),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(ErrorBody::with_message(
            ErrorCode::BadJson,
            "A frame must be a JSON object with a \"type\" field.",
        ));
    };
    let id = object.get("id").and_then(|v| v.as_str()).map(str::to_owned);
    let with_id = |body: ErrorBody| match &id {
        Some(id) => body.about_message(id.clone()),
        None => body,
    };
    match object.get("type") {
        None => {
            return Err(with_id(ErrorBody::with_message(
                ErrorCode::MissingField,
                "The frame has no \"type\" field.",
            )))
        }
        Some(serde_json::Value::String(t)) if known_types.contains(&t.as_str()) => {}
        Some(serde_json::Value::String(t)) => {
            return Err(with_id(ErrorBody::with_message(
                ErrorCode::UnknownType,
                format!(
                    "Unknown frame type {t:?}; this socket accepts {}.",
                    known_types.join(", ")
                ),
            )))
        }
        Some(_) => {
            return Err(with_id(ErrorBody::with_message(
                ErrorCode::InvalidField,
                "\"type\" must be a string.",
            )))
        }
    }
    serde_json::from_value(value).map_err(|e| {
        let detail = e.to_string();
        // serde_json words a missing field as "missing field `x`"; every
        // other failure here is a field of the wrong shape.
        let code = if detail.starts_with("missing field") {
            ErrorCode::MissingField
        } else {
            ErrorCode::InvalidField
        };
        with_id(ErrorBody::with_message(
            code,
            format!("{}.", capitalise(&detail)),
        ))
    })
}

/// Checks a client-chosen message id.
pub fn validate_client_id(id: &str) -> Result<(), ErrorBody> {
    let chars = id.chars().count();
    if chars == 0 || chars > MAX_CLIENT_ID_CHARS {
        return Err(ErrorBody::with_message(
            ErrorCode::InvalidField,
            format!("\"id\" must be 1 to {MAX_CLIENT_ID_CHARS} characters."),
        )
        .about_message(id));
    }
    // An id names a line; control characters only make it unprintable
    // in logs (and PostgreSQL text cannot hold a NUL at all).
    if id.chars().any(char::is_control) {
        return Err(ErrorBody::with_message(
            ErrorCode::InvalidField,
            "\"id\" must not contain control characters.",
        )
        .about_message(id));
    }
    Ok(())
}

/// Checks a chat line's text.
pub fn validate_text(id: &str, text: &str) -> Result<(), ErrorBody> {
    if text.trim().is_empty() {
        return Err(ErrorBody::new(ErrorCode::EmptyMessage).about_message(id));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ErrorBody::with_message(
            ErrorCode::TooLarge,
            format!("A message may be at most {MAX_TEXT_CHARS} characters."),
        )
        .about_message(id));
    }
    Ok(())
}

/// Checks a rating: a score of 1 to 5 and an optional comment.
pub fn validate_rating(score: u8, comment: Option<&str>) -> Result<(), ErrorBody> {
    if !(1..=5).contains(&score) {
        return Err(ErrorBody::with_message(
            ErrorCode::InvalidField,
            "\"score\" must be a whole number from 1 to 5.",
        ));
    }
    match comment {
        Some(c) => validate_length("comment", c, MAX_COMMENT_CHARS),
        None => Ok(()),
    }
}

/// Checks that a free-text field is at most `max` characters.
pub fn validate_length(field: &str, text: &str, max: usize) -> Result<(), ErrorBody> {
    if text.chars().count() > max {
        return Err(ErrorBody::with_message(
            ErrorCode::TooLarge,
            format!("\"{field}\" may be at most {max} characters."),
        ));
    }
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{MessageView, Sender, VisitorEvent, VisitorFrame};

    fn visitor(text: &str) -> Result<VisitorFrame, ErrorBody> {
        parse_frame(text, VisitorFrame::TYPES)
    }

    #[test]
    fn a_well_formed_message_parses() {
        let frame = visitor(r#"{"type":"message","id":"c1","text":"hi"}"#).unwrap();
        assert_eq!(
            frame,
            VisitorFrame::Message {
                id: "c1".into(),
                text: "hi".into()
            }
        );
    }

    #[test]
    fn each_kind_of_bad_frame_gets_its_own_code() {
        let code = |t: &str| visitor(t).unwrap_err().code;
        assert_eq!(code("{not json"), ErrorCode::BadJson);
        assert_eq!(code("[1,2]"), ErrorCode::BadJson);
        assert_eq!(code(r#"{"text":"hi"}"#), ErrorCode::MissingField);
        assert_eq!(code(r#"{"type":"dance"}"#), ErrorCode::UnknownType);
        assert_eq!(
            code(r#"{"type":"message","id":"c1"}"#),
            ErrorCode::MissingField
        );
        assert_eq!(
            code(r#"{"type":"message","id":5,"text":"x"}"#),
            ErrorCode::InvalidField
        );
        assert_eq!(code(r#"{"type":7}"#), ErrorCode::InvalidField);
        let huge = format!(
            r#"{{"type":"message","id":"c1","text":"{}"}}"#,
            "a".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(code(&huge), ErrorCode::TooLarge);
    }

    #[test]
    fn errors_about_a_message_name_its_id() {
        let err = visitor(r#"{"type":"message","id":"c9"}"#).unwrap_err();
        assert_eq!(err.id.as_deref(), Some("c9"));
    }

    #[test]
    fn blank_and_overlong_texts_are_refused() {
        assert_eq!(
            validate_text("a", "  \n ").unwrap_err().code,
            ErrorCode::EmptyMessage
        );
        let long = "é".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            validate_text("a", &long).unwrap_err().code,
            ErrorCode::TooLarge
        );
        assert!(validate_text("a", &"é".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(validate_client_id("").is_err());
        assert!(validate_client_id(&"x".repeat(65)).is_err());
        assert!(validate_client_id("c\u{0}1").is_err());
        assert!(validate_client_id("line\n2").is_err());
        assert!(validate_client_id("c-1é").is_ok());
    }

    #[test]
    fn frames_serialise_to_the_documented_shapes() {
        let at = time::macros::datetime!(2026-11-23 10:04:05 UTC);
        let msg = VisitorEvent::Message(MessageView {
            id: "7".into(),
            client_id: None,
            from: Sender::Bot,
            author: Some("Tandem".into()),
            text: "hi".into(),
            quick_replies: vec!["Yes".into()],
            at,
        });
        assert_eq!(
            serde_json::to_value(&msg).unwrap(),
            serde_json::json!({"type":"message","id":"7","from":"bot","author":"Tandem","text":"hi","quick_replies":["Yes"],"at":"2026-11-23T10:04:05Z"})
        );
        let err = VisitorEvent::Error(ErrorBody::new(ErrorCode::AlreadyClaimed));
        assert_eq!(
            serde_json::to_value(&err).unwrap()["code"],
            serde_json::json!("already_claimed")
        );
        assert_eq!(
            serde_json::to_value(VisitorEvent::Closed { survey: true }).unwrap(),
            serde_json::json!({"type":"closed","survey":true})
        );
    }
}
