//! The audit trail of a facility database: who changed what, and when. The server writes it (a
//! trigger on every table, see `facility_roles.sql`); this reads it back per booking and puts
//! each change in a line a studio manager reads.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::StudioError;
use super::db::{Engine, Tx};

/// One change to a booking or something kept with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub at_utc: i64,
    /// The login that made it.
    pub login: String,
    /// Its role then (`None`: the database's owner).
    pub role: Option<String>,
    /// What changed, in words: "hold placed", "status hold → confirmed, rank 1 → none".
    pub what: String,
}

impl Change {
    /// "2027-03-01 10:02  ana (producer)  hold placed", the time in `tz`.
    pub fn line(&self, tz: &jiff::tz::TimeZone) -> String {
        let who = match &self.role {
            Some(role) => format!("{} ({role})", self.login),
            None => self.login.clone(),
        };
        format!(
            "{}  {who}  {}",
            super::units::format_local(self.at_utc, tz),
            self.what
        )
    }
}

/// The changes to booking `id` and what is kept with it (hires, takes, the log, payments…),
/// oldest first. A file keeps no trail (one machine, one person): empty there.
pub fn of_booking(tx: &Tx, id: i64) -> Result<Vec<Change>, StudioError> {
    if tx.engine() != Engine::Postgres {
        return Ok(Vec::new());
    }
    let rows = tx.rows(
        "SELECT at_utc, login, role, table_name, op, CAST(old AS TEXT), CAST(new AS TEXT),
                txid, row_id
         FROM audit WHERE booking_id = ?1 ORDER BY id",
        [id],
    )?;
    // One command's steps on one row (a booking placed, then ranked) read as one change: the
    // row before the first step, after the last.
    let mut steps: Vec<(Step, Change)> = Vec::new();
    for r in &rows {
        let parse = |i| -> Result<Option<Json>, StudioError> {
            let text: Option<String> = r.get(i)?;
            Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
        };
        let step = Step {
            key: (r.get(7)?, r.get(3)?, r.get(8)?),
            op: r.get(4)?,
            old: parse(5)?,
            new: parse(6)?,
        };
        match steps.last_mut() {
            Some((last, _)) if last.key == step.key => {
                last.new = step.new;
                if step.op == "DELETE" {
                    last.op = if last.op == "INSERT" {
                        "NONE".into()
                    } else {
                        step.op
                    };
                }
            }
            _ => {
                let change = Change {
                    at_utc: r.get(0)?,
                    login: r.get(1)?,
                    role: r.get(2)?,
                    what: String::new(),
                };
                steps.push((step, change));
            }
        }
    }
    Ok(steps
        .into_iter()
        .filter(|(step, _)| step.op != "NONE")
        .map(|(step, mut change)| {
            change.what = describe(&step.key.1, &step.op, step.old.as_ref(), step.new.as_ref());
            change
        })
        .filter(|change| !change.what.ends_with("saved unchanged"))
        .collect())
}

/// One row's change in one transaction, as the trail has it.
struct Step {
    /// Transaction, table, row.
    key: (i64, String, Option<i64>),
    op: String,
    old: Option<Json>,
    new: Option<Json>,
}

/// A change to a row of `table` in words.
pub fn describe(table: &str, op: &str, old: Option<&Json>, new: Option<&Json>) -> String {
    let thing = match table {
        "bookings" => "booking",
        "hires" => "hire",
        "takes" => "take",
        "log_entries" => "log entry",
        "inputs" => "input",
        "soundchecks" => "sound check",
        "payments" => "payment",
        other => other,
    };
    let field = |row: Option<&Json>, name: &str| {
        row.and_then(|r| r.get(name)).map(shown).unwrap_or_default()
    };
    match op {
        "INSERT" if table == "bookings" => format!("{} placed", field(new, "status")),
        "INSERT" if table == "takes" => {
            format!(
                "take {} of {} logged",
                field(new, "take_no"),
                field(new, "song")
            )
        }
        "INSERT" => format!("{thing} added"),
        "DELETE" => format!("{thing} removed"),
        _ => {
            let empty = Map::new();
            let before = old.and_then(Json::as_object).unwrap_or(&empty);
            let after = new.and_then(Json::as_object).unwrap_or(&empty);
            let changed: Vec<String> = after
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(*v))
                .map(|(k, v)| {
                    let was = before.get(k).map(shown).unwrap_or_default();
                    format!("{k} {was} → {}", shown(v))
                })
                .collect();
            if changed.is_empty() {
                format!("{thing} saved unchanged")
            } else {
                format!("{thing}: {}", changed.join(", "))
            }
        }
    }
}

fn shown(v: &Json) -> String {
    match v {
        Json::Null => "none".into(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_read_as_words() {
        let hold = json!({"id": 3, "status": "hold", "rank": 1, "note": ""});
        let firm = json!({"id": 3, "status": "confirmed", "rank": null, "note": ""});
        assert_eq!(
            describe("bookings", "INSERT", None, Some(&hold)),
            "hold placed"
        );
        assert_eq!(
            describe("bookings", "UPDATE", Some(&hold), Some(&firm)),
            "booking: rank 1 → none, status hold → confirmed"
        );
        let take = json!({"take_no": 4, "song": "Harbour"});
        assert_eq!(
            describe("takes", "INSERT", None, Some(&take)),
            "take 4 of Harbour logged"
        );
        assert_eq!(
            describe("payments", "DELETE", Some(&take), None),
            "payment removed"
        );
        assert_eq!(
            describe("hires", "UPDATE", Some(&take), Some(&take)),
            "hire saved unchanged"
        );
    }
}
