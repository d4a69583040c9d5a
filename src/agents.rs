//! Agent accounts and signed-in sessions.
//!
//! Passwords are stored only as argon2id hashes (PHC strings with their own
//! salt). Hashing is deliberately slow, so the server runs it on the blocking
//! pool. A session token is 256 random bits; the session record says whose it
//! is and when it expires, and lives in the store so a restart does not sign
//! everyone out. What a new password must be is [`policy`]'s decision.

pub mod policy;
pub mod throttle;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::protocol::Role;
use crate::store::{Store, StoreError};

/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
pub use policy::{PasswordProblem, MIN_PASSWORD_CHARS};

/// A stored agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRecord {
    /// Sign-in name, also shown to visitors for now.
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When the account was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// What the account may do.
    #[serde(default)]
    pub role: Role,
}

/// A signed-in agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Whose session.
    pub agent: String,
    /// After this the token is refused.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Account errors, worded for the person at the terminal.
#[derive(Debug, Error)]
pub enum AccountError {
    #[error("agent names are 1 to 64 letters, digits, '.', '-' or '_'")]
    BadName,
    /// A new password the policy refuses; the problem says why.
    #[error("{0}")]
    WeakPassword(#[from] PasswordProblem),
    #[error("an agent called {0:?} already exists")]
    Exists(String),
    #[error("there is no agent called {0:?}")]
    NotFound(String),
    #[error("{0:?} is the last admin; make another admin first")]
    LastAdmin(String),
    #[error("you cannot remove your own account; ask another admin")]
    RemovingSelf,
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks an agent name.
pub fn validate_name(name: &str) -> Result<(), AccountError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadName)
    }
}

/// Hashes a password with argon2id and a fresh salt. Slow on purpose.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches the stored hash. Slow on purpose.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Creates a new agent.
pub async fn add_agent(
    store: &Store,
    name: &str,
    password: &str,
    role: Role,
    now: OffsetDateTime,
) -> Result<AgentRecord, AccountError> {
    validate_name(name)?;
    policy::check(name, password)?;
    if store.agent(name).await?.is_some() {
        return Err(AccountError::Exists(name.to_owned()));
    }
    let record = AgentRecord {
        name: name.to_owned(),
        password_hash: hash_password_off_thread(password).await?,
        created_at: now,
        role,
    };
    store.put_agent(&record).await?;
    store.flush().await?;
    Ok(record)
}

/// Sets a new password and signs the agent out everywhere.
pub async fn set_password(store: &Store, name: &str, password: &str) -> Result<(), AccountError> {
    policy::check(name, password)?;
    let mut record = store
        .agent(name)
        .await?
        .ok_or_else(|| AccountError::NotFound(name.to_owned()))?;
    record.password_hash = hash_password_off_thread(password).await?;
    store.put_agent(&record).await?;
    store.delete_sessions_of(name).await?;
    store.flush().await?;
    Ok(())
}

/// Deletes an agent and ends their sessions. Their past lines keep their name.
pub async fn remove_agent(store: &Store, name: &str) -> Result<(), AccountError> {
    if !store.remove_agent(name).await? {
        return Err(AccountError::NotFound(name.to_owned()));
    }
    store.delete_sessions_of(name).await?;
    store.flush().await?;
    Ok(())
}

/// [`hash_password`] on the blocking pool: argon2 takes tens of
/// milliseconds of CPU on purpose.
async fn hash_password_off_thread(password: &str) -> Result<String, AccountError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .unwrap_or_else(|e| Err(AccountError::Hash(e.to_string())))
}

/// Whether the admin `by` may remove `name` from `team`: never the last
/// admin (nobody could manage the team then) and never themself (a slip
/// that would sign them out for good). Unknown names are `NotFound`.
///
/// The command line (`tandem agent remove`) does not ask: whoever runs it
/// owns the data directory.
pub fn check_removal(team: &[AgentRecord], by: &str, name: &str) -> Result<(), AccountError> {
    let target = team
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| AccountError::NotFound(name.to_owned()))?;
    let admins = team.iter().filter(|a| a.role == Role::Admin).count();
    if target.role == Role::Admin && admins <= 1 {
        return Err(AccountError::LastAdmin(name.to_owned()));
    }
    if name == by {
        return Err(AccountError::RemovingSelf);
    }
    Ok(())
}

/// A new random session token (256 bits, hex).
pub fn new_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// The agent a token belongs to, if it is known, not expired, and the
/// account still exists.
pub async fn agent_for_token(
    store: &Store,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<AgentRecord>, StoreError> {
    match store.session(token).await?.filter(|s| s.expires_at > now) {
        Some(session) => store.agent(&session.agent).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("Correct horse", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[tokio::test]
    async fn odd_names_and_weak_passwords_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = OffsetDateTime::UNIX_EPOCH;
        assert!(matches!(
            add_agent(&store, "sam smith", "longenough", Role::Agent, now).await,
            Err(AccountError::BadName)
        ));
        assert!(matches!(
            add_agent(&store, "sam", "short", Role::Agent, now).await,
            Err(AccountError::WeakPassword(PasswordProblem::TooShort))
        ));
        assert!(matches!(
            add_agent(&store, "sam", "Password123", Role::Agent, now).await,
            Err(AccountError::WeakPassword(PasswordProblem::Common))
        ));
        add_agent(&store, "sam", "longenough", Role::Agent, now)
            .await
            .unwrap();
        assert!(matches!(
            add_agent(&store, "sam", "longenough", Role::Agent, now).await,
            Err(AccountError::Exists(_))
        ));
    }

    #[tokio::test]
    async fn an_expired_session_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = OffsetDateTime::UNIX_EPOCH;
        add_agent(&store, "sam", "longenough", Role::Agent, now)
            .await
            .unwrap();
        let session = Session {
            agent: "sam".into(),
            expires_at: now + SESSION_LIFETIME,
        };
        store.put_session("t", &session).await.unwrap();
        let who = |at| agent_for_token(&store, "t", at);
        let name = |a: Option<AgentRecord>| a.map(|a| a.name);
        assert_eq!(name(who(now).await.unwrap()).as_deref(), Some("sam"));
        assert_eq!(name(who(now + SESSION_LIFETIME).await.unwrap()), None);
        assert_eq!(agent_for_token(&store, "nope", now).await.unwrap(), None);
    }

    #[tokio::test]
    async fn expired_sessions_are_purged_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = OffsetDateTime::UNIX_EPOCH + SESSION_LIFETIME;
        let session = |expires_at| Session {
            agent: "sam".into(),
            expires_at,
        };
        store
            .put_session("old", &session(now - time::Duration::seconds(1)))
            .await
            .unwrap();
        store
            .put_session("new", &session(now + SESSION_LIFETIME))
            .await
            .unwrap();
        assert_eq!(store.purge_expired_sessions(now).await.unwrap(), 1);
        assert!(store.session("old").await.unwrap().is_none());
        assert!(store.session("new").await.unwrap().is_some());
    }

    #[test]
    fn the_last_admin_and_oneself_cannot_be_removed() {
        let member = |name: &str, role| AgentRecord {
            name: name.into(),
            password_hash: String::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            role,
        };
        let team = vec![member("olga", Role::Admin), member("sam", Role::Agent)];
        assert!(check_removal(&team, "olga", "sam").is_ok());
        assert!(matches!(
            check_removal(&team, "olga", "olga"),
            Err(AccountError::LastAdmin(_))
        ));
        assert!(matches!(
            check_removal(&team, "olga", "kim"),
            Err(AccountError::NotFound(_))
        ));
        let mut two = team.clone();
        two.push(member("ana", Role::Admin));
        assert!(check_removal(&two, "olga", "ana").is_ok());
        assert!(matches!(
            check_removal(&two, "olga", "olga"),
            Err(AccountError::RemovingSelf)
        ));
    }

    #[tokio::test]
    async fn a_new_password_or_removal_signs_the_agent_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = OffsetDateTime::UNIX_EPOCH;
        let later = now + SESSION_LIFETIME;
        add_agent(&store, "sam", "longenough", Role::Admin, now)
            .await
            .unwrap();
        store
            .put_session(
                "t1",
                &Session {
                    agent: "sam".into(),
                    expires_at: later,
                },
            )
            .await
            .unwrap();
        set_password(&store, "sam", "another-one").await.unwrap();
        assert_eq!(agent_for_token(&store, "t1", now).await.unwrap(), None);
        let sam = store.agent("sam").await.unwrap().unwrap();
        assert!(verify_password("another-one", &sam.password_hash));
        assert_eq!(sam.role, Role::Admin);
        store
            .put_session(
                "t2",
                &Session {
                    agent: "sam".into(),
                    expires_at: later,
                },
            )
            .await
            .unwrap();
        remove_agent(&store, "sam").await.unwrap();
        assert_eq!(agent_for_token(&store, "t2", now).await.unwrap(), None);
        assert!(matches!(
            remove_agent(&store, "sam").await,
            Err(AccountError::NotFound(_))
        ));
    }
}
