//! What makes a password acceptable for a new or changed agent account.
//!
//! Length alone does not stop the passwords attackers try first, so a
//! password must also not be one of about 20,000 common ones (compared
//! case-insensitively), not the account's own name, and not one character
//! repeated. The rules apply wherever a password is set — first-run setup,
//! an admin adding an agent or resetting a password, and
//! `tandem agent add/passwd` — but never at sign-in: accounts made under an
//! older, looser rule keep working until their password is next changed.

use std::collections::HashSet;
use std::sync::OnceLock;

use thiserror::Error;

/// Shortest password accepted when one is set.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The common-password list, one lowercased password a line (see the
/// file's header for where it comes from).
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Why a password was refused, worded for the person choosing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordProblem {
    #[error("passwords need at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error(
        "that password is one of the most common ones, which attackers try first; choose another"
    )]
    Common,
    #[error("the password must not be the account's name")]
    SameAsName,
    #[error("the password must not be one character repeated")]
    Repeated,
}

/// Checks `password` for the account `name`.
pub fn check(name: &str, password: &str) -> Result<(), PasswordProblem> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return Err(PasswordProblem::Repeated);
        }
    }
    let lower = password.to_lowercase();
    if lower == name.to_lowercase() {
        return Err(PasswordProblem::SameAsName);
    }
    if is_common(&lower) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// Whether `lowercased` is on the common-password list.
fn is_common(lowercased: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .filter(|line| !line.starts_with("# ") && !line.is_empty())
            .collect()
    })
    .contains(lowercased)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_uncommon_password_is_accepted() {
        assert_eq!(check("sam", "correct-horse-7"), Ok(()));
        assert_eq!(check("sam", "ünïcödé-pässwörd"), Ok(()));
    }

    #[test]
    fn a_password_shorter_than_ten_characters_is_refused() {
        assert_eq!(check("sam", "Tr0ub4dor"), Err(PasswordProblem::TooShort));
        // Characters, not bytes: ten accented letters are enough.
        assert_eq!(check("sam", "éàüöïéàüöï"), Ok(()));
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in [
            "password123",
            "PASSWORD123",
            "Password123",
            "1234567890",
            "qwertyuiop",
        ] {
            assert_eq!(
                check("sam", common),
                Err(PasswordProblem::Common),
                "{common}"
            );
        }
    }

    #[test]
    fn the_account_name_is_not_a_password() {
        assert_eq!(
            check("samantha.k", "Samantha.K"),
            Err(PasswordProblem::SameAsName)
        );
    }

    #[test]
    fn one_character_repeated_is_refused() {
        assert_eq!(check("sam", "zzzzzzzzzzzz"), Err(PasswordProblem::Repeated));
        assert_eq!(check("sam", "############"), Err(PasswordProblem::Repeated));
    }

    #[test]
    fn the_list_is_loaded_and_has_no_comment_lines() {
        assert!(is_common("123456"));
        let header = COMMON_PASSWORDS.lines().next().unwrap_or_default();
        assert!(header.starts_with("# ") && !is_common(header));
        let entries = COMMON_PASSWORDS
            .lines()
            .filter(|l| !l.starts_with("# "))
            .count();
        assert!(entries > 19_000, "{entries}");
    }
}
