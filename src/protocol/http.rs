//! HTTP bodies: signing in, and team management for admins.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{AgentView, Role};

/// `POST /api/agent/login` body.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LoginRequest {
    pub name: String,
    pub password: String,
}

/// `POST /api/agent/login` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LoginResponse {
    pub token: String,
    pub agent: AgentView,
}

// Team management (admins only).

/// One agent account in `GET /api/agents`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct TeamMember {
    /// Sign-in name.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// When the account was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Whether they have a console open right now.
    pub online: bool,
}

/// `POST /api/agents` body: a new account, as `tandem agent add` makes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewAgentRequest {
    pub name: String,
    pub password: String,
    /// `agent` when omitted.
    #[serde(default)]
    pub role: Role,
}

/// `POST /api/agents/{name}/password` body.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewPasswordRequest {
    pub password: String,
}
