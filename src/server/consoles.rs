//! Which agent sockets each session token opened, so that signing out
//! closes them.
//!
//! The hub knows sockets by agent name (an admin removing an account closes
//! all of them); signing out must close only the consoles of that one
//! sign-in, and leave the agent's other browsers alone. Tokens are a concern
//! of this HTTP layer, not of the switchboard, so the map lives here.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Agent sockets (the hub's connection ids) per session token.
#[derive(Debug, Default)]
pub struct ConsolesByToken {
    /// A std mutex: every use is a short map update, never across an await.
    open: Mutex<HashMap<String, Vec<u64>>>,
}

impl ConsolesByToken {
    /// Notes that `connection` was opened with `token`.
    pub fn opened(&self, token: &str, connection: u64) {
        self.lock()
            .entry(token.to_owned())
            .or_default()
            .push(connection);
    }

    /// Notes that `connection` has ended.
    pub fn closed(&self, token: &str, connection: u64) {
        let mut open = self.lock();
        if let Some(list) = open.get_mut(token) {
            list.retain(|&c| c != connection);
            if list.is_empty() {
                open.remove(token);
            }
        }
    }

    /// The sockets opened with `token`, forgotten here.
    pub fn take(&self, token: &str) -> Vec<u64> {
        self.lock().remove(token).unwrap_or_default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u64>>> {
        // A panic elsewhere cannot leave the map half-changed: each update
        // is one call on it.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_out_takes_only_that_sign_ins_consoles() {
        let consoles = ConsolesByToken::default();
        consoles.opened("a", 1);
        consoles.opened("a", 2);
        consoles.opened("b", 3);
        consoles.closed("a", 1);
        assert_eq!(consoles.take("a"), [2]);
        assert_eq!(consoles.take("a"), Vec::<u64>::new());
        consoles.closed("b", 3);
        assert!(consoles.lock().is_empty(), "nothing left behind");
    }
}
