//! Who may do what in a facility: the three roles a login is granted, and a refusal from the
//! server put in the words of the role and the action. The rules themselves are the server's
//! (`facility_roles.sql`): a modified client cannot get round them.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::StudioError;

/// A facility login's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Rooms, rates, policies, the facility, cancellations, payments; and all a producer and an
    /// engineer do.
    Manager,
    /// Projects, people, holds and bookings, hires, the budget, quotes and invoices.
    Producer,
    /// Takes, the session log, markers and inputs, sound checks, ending a session.
    Engineer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Manager, Role::Producer, Role::Engineer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Producer => "producer",
            Role::Engineer => "engineer",
        }
    }

    /// Whether this role may do what `needed` may: its own, and a manager everything.
    pub fn covers(self, needed: Role) -> bool {
        self == needed || self == Role::Manager
    }

    /// The server's group role a login is granted.
    pub fn group(self) -> String {
        format!("studiodesk_{}", self.as_str())
    }

    /// "a manager", "an engineer".
    fn with_article(self) -> String {
        match self {
            Role::Engineer => "an engineer".into(),
            other => format!("a {}", other.as_str()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = StudioError;

    fn from_str(text: &str) -> Result<Role, StudioError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| StudioError::Invalid {
                field: "role",
                problem: format!("'{text}' is not a role: manager, producer or engineer"),
            })
    }
}

/// What a change to `table` is, in words, and the role that may make it.
fn action_on(table: &str) -> (&'static str, Role) {
    match table {
        "rooms" => ("change rooms and their rate cards", Role::Manager),
        "rates" => ("change the agreements' rates", Role::Manager),
        "settings" => ("change the booking policies", Role::Manager),
        "facility" => ("change the facility's settings", Role::Manager),
        "fx_rates" => ("change exchange rates", Role::Manager),
        "crew_rates" => ("change crew rates", Role::Manager),
        "payments" => ("record payments", Role::Manager),
        "projects" => ("change projects", Role::Producer),
        "people" => ("change people", Role::Producer),
        "bookings" => ("change bookings", Role::Producer),
        "hires" => ("hire musicians", Role::Producer),
        "budget_lines" | "expenses" => ("change the budget", Role::Producer),
        "documents" => ("issue quotes and invoices", Role::Producer),
        "takes" | "log_entries" | "inputs" => ("change the session log", Role::Engineer),
        "soundchecks" | "soundcheck_profiles" => ("store sound checks", Role::Engineer),
        _ => ("change the studio's data", Role::Manager),
    }
}

/// The role an action the server's booking rules refused needs (their messages are actions).
fn needed_for(action: &str) -> Role {
    if action.starts_with("cancel") || action.contains("cancellation") {
        Role::Manager
    } else {
        Role::Producer
    }
}

/// Whether a login of `role` may do what `needed` may; `None` is a studio file or the facility
/// database's owner, who may do anything. (The server decides; this is for offering only what
/// will be allowed.)
pub fn may(role: Option<Role>, needed: Role) -> bool {
    role.is_none_or(|r| r.covers(needed))
}

/// The refusal of `action` to `who` ("an engineer"), which needs `needed`.
pub(crate) fn refused(who: String, action: &str, needed: Role) -> StudioError {
    StudioError::Refused {
        who,
        action: action.to_string(),
        needed: needed.with_article(),
    }
}

/// Why a login of `role` is not offered what only `needed` (or a manager) may do.
pub fn not_for(role: Role, needed: Role) -> String {
    format!(
        "{} may not do this: it needs {}",
        role.with_article(),
        needed.with_article()
    )
}

/// A refusal of `action` on the server's logins, which only the database's owner manages.
pub(crate) fn owners_only(role: Option<Role>, action: &str) -> StudioError {
    StudioError::Refused {
        who: role.map_or_else(|| "this login".into(), Role::with_article),
        action: action.to_string(),
        needed: "the database's owner".to_string(),
    }
}

/// The server's refusal (`message`, as PostgreSQL words it) for a login of `role`, as one line
/// naming the role and the action.
pub(crate) fn refusal(role: Option<Role>, message: &str) -> StudioError {
    let (action, needed) = match message.strip_prefix("permission denied for table ") {
        Some(table) => {
            let (action, needed) = action_on(table.trim());
            (action.to_string(), needed)
        }
        None if message.starts_with("permission denied") => ("do that".to_string(), Role::Manager),
        None => (message.to_string(), needed_for(message)),
    };
    StudioError::Refused {
        who: role.map_or_else(|| "this login".into(), Role::with_article),
        action,
        needed: needed.with_article(),
    }
}

/// A login name the server will take unquoted and a person can type: lower-case letters,
/// digits and `_`, starting with a letter, at most 63 characters.
pub fn check_login_name(name: &str) -> Result<(), StudioError> {
    let ok = name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with("studiodesk_")
        && !name.starts_with("pg_");
    if ok {
        Ok(())
    } else {
        super::invalid(
            "name",
            format!(
                "'{name}' is not a login name: lower-case letters, digits and _, starting with a \
                 letter (e.g. ana or lee_hart)"
            ),
        )
    }
}

/// A new password: 20 letters and digits from the system's random source (about 119 bits).
pub fn new_password() -> Result<String, StudioError> {
    use std::io::Read;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 64];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| StudioError::Invalid {
            field: "password",
            problem: format!("no random source to make one: {e}"),
        })?;
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    let password: String = bytes
        .iter()
        .filter(|&&b| usize::from(b) < limit)
        .take(20)
        .map(|&b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect();
    if password.len() < 20 {
        return super::invalid("password", "the random source gave too little; try again");
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manager_may_do_all_the_others_only_their_own() {
        assert!(may(None, Role::Manager));
        assert!(may(Some(Role::Manager), Role::Engineer));
        assert!(may(Some(Role::Manager), Role::Producer));
        assert!(may(Some(Role::Producer), Role::Producer));
        assert!(!may(Some(Role::Producer), Role::Engineer));
        assert!(!may(Some(Role::Producer), Role::Manager));
        assert!(may(Some(Role::Engineer), Role::Engineer));
        assert!(!may(Some(Role::Engineer), Role::Producer));
    }

    #[test]
    fn refusals_name_the_role_and_the_action() {
        let e = refusal(Some(Role::Engineer), "permission denied for table rates");
        assert_eq!(
            e.to_string(),
            "refused: an engineer may not change the agreements' rates (that needs a manager)"
        );
        let e = refusal(Some(Role::Producer), "cancel a booking");
        assert_eq!(
            e.to_string(),
            "refused: a producer may not cancel a booking (that needs a manager)"
        );
        let e = refusal(Some(Role::Engineer), "firm a booking");
        assert!(e.to_string().ends_with("(that needs a producer)"), "{e}");
    }

    #[test]
    fn login_names_are_plain() {
        for good in ["ana", "lee_hart", "eng2"] {
            assert!(check_login_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Ana",
            "2ana",
            "ana; DROP TABLE rooms",
            "a\"b",
            "studiodesk_manager",
            "pg_read_all_data",
            &"a".repeat(64),
        ] {
            assert!(check_login_name(bad).is_err(), "{bad}");
        }
        assert_eq!("Engineer".parse::<Role>().unwrap(), Role::Engineer);
        assert!("admin".parse::<Role>().is_err());
    }
}
