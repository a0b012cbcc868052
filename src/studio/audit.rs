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

/// The changes to booking `id` and what is kept with it (hires, takes, the log, payments…),
/// oldest first. A file keeps no trail (one machine, one person): empty there.
pub fn of_booking(tx: &Tx, id: i64) -> Result<Vec<Change>, StudioError> {
    if tx.engine() != Engine::Postgres {
        return Ok(Vec::new());
    }
    let rows = tx.rows(
        "SELECT at_utc, login, role, table_name, op, CAST(old AS TEXT), CAST(new AS TEXT)
         FROM audit WHERE booking_id = ?1 ORDER BY id",
        [id],
    )?;
    rows.iter()
        .map(|r| {
            let parse = |i| -> Result<Option<Json>, StudioError> {
                let text: Option<String> = r.get(i)?;
                Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
            };
            let (table, op): (String, String) = (r.get(3)?, r.get(4)?);
            Ok(Change {
                at_utc: r.get(0)?,
                login: r.get(1)?,
                role: r.get(2)?,
                what: describe(&table, &op, parse(5)?.as_ref(), parse(6)?.as_ref()),
            })
        })
        .collect()
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
