//! Musicians' fees: the MU/BPI non-classical agreement, the AFM sound recording agreement, and free
//! agreements. Every number comes from the `rates` table (defaults shipped with their source,
//! editable); every rule that costs money is one function here.
//!
//! Rounding: each line is rounded half up to the minor unit (penny, cent) on its own, and the
//! total is the sum of the rounded lines, so the lines always add up to the total a producer sees.
//! Overtime counts started units (MU: 15 minutes): 3 h 40 min on a 3-hour session is 3 units.

use std::collections::BTreeMap;

use crate::studio::db::{Tx, params};
use serde::Serialize;

use super::units::{Minor, format_minutes, percent_text};
use super::{StudioError, invalid};

/// The agreement a musician is engaged under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// Musicians' Union / BPI non-classical session agreement.
    Mu,
    /// American Federation of Musicians sound recording agreement.
    Afm,
    /// A flat fee or an hourly rate, agreed directly.
    Free,
}

impl Agreement {
    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Mu => "mu",
            Agreement::Afm => "afm",
            Agreement::Free => "free",
        }
    }

    /// The currency the agreement's fees are in (a free agreement's: the room's, as agreed).
    pub fn currency(self) -> Option<&'static str> {
        match self {
            Agreement::Mu => Some("GBP"),
            Agreement::Afm => Some("USD"),
            Agreement::Free => None,
        }
    }
}

/// The musician's role on the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Side,
    Leader,
    Contractor,
    BackgroundVocalist,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Side => "side",
            Role::Leader => "leader",
            Role::Contractor => "contractor",
            Role::BackgroundVocalist => "background_vocalist",
        }
    }
}

/// MU session lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// 3 hours.
    Standard,
    /// 4 hours.
    Long,
    /// 2 hours.
    Short,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Standard => "standard",
            SessionKind::Long => "long",
            SessionKind::Short => "short",
        }
    }
}

/// One rate: value (minor units, basis points or minutes), its unit and its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub agreement: String,
    pub name: String,
    pub value: i64,
    pub unit: String,
    pub source: String,
}

impl Rate {
    /// The value in its unit, as people read it: "130.00", "25.00 %", "240 min".
    pub fn value_text(&self) -> String {
        match self.unit.as_str() {
            "minor" => Minor(self.value).to_string(),
            "bp" => format!("{}.{:02} %", self.value / 100, self.value % 100),
            _ => format!("{} min", self.value),
        }
    }
}

/// The rates of one agreement.
#[derive(Clone, Debug, Default)]
pub struct RateTable(BTreeMap<String, Rate>);

impl RateTable {
    /// Load `agreement`'s rates.
    pub fn load(tx: &Tx, agreement: Agreement) -> Result<RateTable, StudioError> {
        Ok(RateTable(
            rates(tx, Some(agreement))?
                .into_iter()
                .map(|r| (r.name.clone(), r))
                .collect(),
        ))
    }

    fn get(&self, name: &str) -> Result<i64, StudioError> {
        self.0
            .get(name)
            .map(|r| r.value)
            .ok_or_else(|| StudioError::Invalid {
                field: "rates",
                problem: format!("no rate '{name}' (see studiodesk rates list)"),
            })
    }

    fn money(&self, name: &str) -> Result<Minor, StudioError> {
        self.get(name).map(Minor)
    }
}

/// Every rate, or one agreement's.
pub fn rates(tx: &Tx, agreement: Option<Agreement>) -> Result<Vec<Rate>, StudioError> {
    let mut stmt = tx.prepare(
        "SELECT agreement, name, value, unit, source FROM rates
         WHERE agreement = ?1 OR ?1 IS NULL ORDER BY agreement, name",
    )?;
    let rows = stmt.query_map([agreement.map(Agreement::as_str)], |r| {
        Ok(Rate {
            agreement: r.get(0)?,
            name: r.get(1)?,
            value: r.get(2)?,
            unit: r.get(3)?,
            source: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Change one rate (it must exist); the source becomes `source`.
pub fn set_rate(
    tx: &Tx,
    agreement: Agreement,
    name: &str,
    value: i64,
    source: &str,
) -> Result<Rate, StudioError> {
    if value < 0 {
        return invalid("value", "must not be negative");
    }
    let changed = tx.execute(
        "UPDATE rates SET value = ?3, source = ?4 WHERE agreement = ?1 AND name = ?2",
        params![agreement.as_str(), name, value, source],
    )?;
    if changed == 0 {
        return invalid(
            "rate",
            format!(
                "{} has no rate '{name}' (see studiodesk rates list)",
                agreement.as_str()
            ),
        );
    }
    Ok(rates(tx, Some(agreement))?
        .into_iter()
        .find(|r| r.name == name)
        .expect("the rate was just updated"))
}

/// The largest percentage a rate may be, in basis points (1000 %).
const MAX_PERCENT_BP: i64 = 100_000;

/// Change one rate from text in its unit: money as 130.00, a percentage as 14.09, minutes as 15
/// or 0h15m.
pub fn set_rate_text(
    tx: &Tx,
    agreement: Agreement,
    name: &str,
    text: &str,
) -> Result<Rate, StudioError> {
    let current = rates(tx, Some(agreement))?
        .into_iter()
        .find(|r| r.name == name)
        .ok_or_else(|| StudioError::Invalid {
            field: "rate",
            problem: format!(
                "{} has no rate '{name}' (see studiodesk rates list)",
                agreement.as_str()
            ),
        })?;
    let value = match current.unit.as_str() {
        "minor" => {
            let amount = Minor::parse(text)?;
            super::check_rate("value", amount)?;
            amount.0
        }
        "bp" => match super::units::parse_percent_bp(text)? {
            bp if bp > MAX_PERCENT_BP => {
                return invalid("value", format!("{text} % is above 1000 %"));
            }
            bp => bp,
        },
        _ => match super::units::parse_minutes(text)? {
            0 => return invalid("value", "a length of time must be more than zero"),
            // A notice period is days; a session length or overtime unit is within a day.
            m if name == "cancel_notice" && m > 90 * 24 * 60 => {
                return invalid("value", format!("{text} is longer than 90 days"));
            }
            m if name != "cancel_notice" && m > 24 * 60 => {
                return invalid("value", format!("{text} is longer than a day"));
            }
            m => m,
        },
    };
    set_rate(tx, agreement, name, value, "set by the user")
}

/// What a musician did, as the fee rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engagement {
    pub agreement: Agreement,
    pub role: Role,
    pub session: SessionKind,
    /// Time actually worked, in minutes.
    pub worked_min: i64,
    /// Instruments played (1 = no double, 2 = doubling, 3 = trebling, …).
    pub instruments: usize,
    pub overdub: bool,
    /// MU porterage class of each instrument carried ('A', 'B', 'C').
    pub porterage: Vec<char>,
    /// AFM: instruments with cartage.
    pub cartage: i64,
    /// AFM: true for the musician's first session that day (health & welfare rate).
    pub first_session_of_day: bool,
    /// Free agreement: a flat fee, or an hourly rate.
    pub flat_fee: Option<Minor>,
    pub hourly: Option<Minor>,
}

/// One line of a quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeeLine {
    /// What the line is: session, overtime, doubling, pension, health_welfare, cartage, porterage, fee.
    pub kind: &'static str,
    pub label: String,
    pub amount: Minor,
}

/// A fee broken into lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub lines: Vec<FeeLine>,
    pub total: Minor,
}

impl Quote {
    /// The quote of `lines`; a doubling line of nothing (one instrument) is left out.
    fn new(mut lines: Vec<FeeLine>) -> Result<Quote, StudioError> {
        lines.retain(|l| !(l.kind == "doubling" && l.amount == Minor(0)));
        Ok(Quote {
            total: Minor::total(lines.iter().map(|l| l.amount))?,
            lines,
        })
    }
}

fn line(kind: &'static str, label: impl Into<String>, amount: Minor) -> FeeLine {
    FeeLine {
        kind,
        label: label.into(),
        amount,
    }
}

/// Started overtime units beyond `session_min`.
fn overtime_units(worked_min: i64, session_min: i64, unit_min: i64) -> i64 {
    let over = (worked_min - session_min).max(0);
    (over + unit_min - 1) / unit_min.max(1)
}

/// Quote a fee under the engagement's agreement.
pub fn quote(table: &RateTable, e: &Engagement) -> Result<Quote, StudioError> {
    if e.worked_min <= 0 {
        return invalid("worked", "must be more than zero");
    }
    if e.instruments == 0 {
        return invalid("instruments", "at least one");
    }
    match e.agreement {
        Agreement::Mu => mu(table, e),
        Agreement::Afm => afm(table, e),
        Agreement::Free => free(e),
    }
}

/// The doubling premium in basis points for `instruments` played: MU doubling for two, trebling
/// for three, plus `each_further_double` for every one beyond.
fn mu_doubling_bp(table: &RateTable, instruments: usize) -> Result<(i64, String), StudioError> {
    Ok(match instruments {
        0 | 1 => (0, String::new()),
        2 => (table.get("doubling")?, "doubling".into()),
        n => {
            let further = table
                .get("each_further_double")?
                .saturating_mul(n as i64 - 3);
            (
                table.get("trebling")? + further,
                if n == 3 {
                    "trebling".into()
                } else {
                    format!("{n} instruments")
                },
            )
        }
    })
}

/// MU/BPI non-classical: session fee by length, overtime per started 15 minutes, doubling /
/// trebling and overdubbing as percentages of fee plus overtime, porterage per instrument class
/// (class B capped).
fn mu(table: &RateTable, e: &Engagement) -> Result<Quote, StudioError> {
    let kind = e.session.as_str();
    let session_min = table.get(&format!("{kind}_minutes"))?;
    let fee = table.money(&format!("{kind}_fee"))?;
    let per_unit = table.money(&format!("{kind}_overtime"))?;
    let unit = table.get("overtime_unit")?;
    let units = overtime_units(e.worked_min, session_min, unit);
    let overtime = per_unit.times(units)?;
    let base = fee.plus(overtime)?;
    let mut lines = vec![
        line(
            "session",
            format!("{kind} session ({})", format_minutes(session_min)),
            fee,
        ),
        line(
            "overtime",
            format!(
                "overtime {units} × {unit} min at {per_unit} (worked {})",
                format_minutes(e.worked_min)
            ),
            overtime,
        ),
    ];
    let (double_bp, double_name) = mu_doubling_bp(table, e.instruments)?;
    lines.push(line(
        "doubling",
        format!("{double_name} +{} of {base}", percent_text(double_bp)),
        base.percent(double_bp)?,
    ));
    if e.overdub {
        let bp = table.get("overdubbing")?;
        lines.push(line(
            "overdubbing",
            format!("overdubbing +{} of {base}", percent_text(bp)),
            base.percent(bp)?,
        ));
    }
    let mut b_total = Minor(0);
    for class in &e.porterage {
        let (name, amount) = match class.to_ascii_uppercase() {
            'A' => ("A", table.money("porterage_a")?),
            'B' => ("B", table.money("porterage_b")?),
            'C' => ("C", table.money("porterage_c")?),
            other => return invalid("porterage", format!("class '{other}' (expected A, B or C)")),
        };
        let amount = if name == "B" {
            let cap = table.money("porterage_b_cap")?;
            let allowed = cap.minus(b_total)?.max(Minor(0)).min(amount);
            b_total = b_total.plus(allowed)?;
            allowed
        } else {
            amount
        };
        lines.push(line("porterage", format!("porterage class {name}"), amount));
    }
    Quote::new(lines)
}

/// AFM sound recording: scale per 3-hour session (leader and contractor at their multiple),
/// overtime per unit as a share of scale, doubling premiums on scale, pension on the scale wages,
/// health & welfare per session (first of the day or further), cartage per instrument.
fn afm(table: &RateTable, e: &Engagement) -> Result<Quote, StudioError> {
    let scale = table.money("scale")?;
    if scale == Minor(0) {
        return invalid(
            "rates",
            "the AFM scale is not set: studiodesk rates set afm scale AMOUNT",
        );
    }
    let multiple_bp = match e.role {
        Role::Leader => table.get("leader")?,
        Role::Contractor => table.get("contractor")?,
        Role::Side | Role::BackgroundVocalist => 10_000,
    };
    let role_scale = scale.percent(multiple_bp)?;
    let session_min = table.get("session_minutes")?;
    let unit = table.get("overtime_unit")?;
    let units = overtime_units(e.worked_min, session_min, unit);
    let per_unit = role_scale.percent(table.get("overtime")?)?;
    let overtime = per_unit.times(units)?;
    let double_bp = match e.instruments {
        0 | 1 => 0,
        n => table.get("doubling")?.saturating_add(
            table
                .get("each_further_double")?
                .saturating_mul(n as i64 - 2),
        ),
    };
    let doubling = role_scale.percent(double_bp)?;
    let wages = Minor::total([role_scale, overtime, doubling])?;
    let pension_bp = table.get("pension")?;
    let health = if e.first_session_of_day {
        table.money("health_first")?
    } else {
        table.money("health_further")?
    };
    let cartage = table.money("cartage")?.times(e.cartage)?;
    let pension = wages.percent(pension_bp)?;
    Quote::new(vec![
        line(
            "session",
            format!(
                "{} scale ({} of {scale}, {})",
                e.role.as_str(),
                percent_text(multiple_bp),
                format_minutes(session_min)
            ),
            role_scale,
        ),
        line(
            "overtime",
            format!(
                "overtime {units} × {unit} min at {per_unit} (worked {})",
                format_minutes(e.worked_min)
            ),
            overtime,
        ),
        line(
            "doubling",
            format!(
                "{} instruments +{} of scale",
                e.instruments,
                percent_text(double_bp)
            ),
            doubling,
        ),
        line(
            "pension",
            format!("pension {} of {wages}", percent_text(pension_bp)),
            pension,
        ),
        line(
            "health_welfare",
            if e.first_session_of_day {
                "health & welfare, first session of the day"
            } else {
                "health & welfare, further session"
            },
            health,
        ),
        line(
            "cartage",
            format!("cartage {} instrument(s)", e.cartage),
            cartage,
        ),
    ])
}

/// What `agreement` pays for a session cancelled `notice_s` seconds before its start, on a fee of
/// `fee`: the `cancel_pay` share when the notice was shorter than `cancel_notice`, else nothing.
/// A free agreement's terms are the parties' own: nothing is assumed.
pub fn cancellation_pay(
    table: &RateTable,
    agreement: Agreement,
    fee: Minor,
    notice_s: i64,
) -> Result<Option<FeeLine>, StudioError> {
    if agreement == Agreement::Free {
        return Ok(None);
    }
    let notice_min = table.get("cancel_notice")?;
    if notice_s >= notice_min * 60 {
        return Ok(None);
    }
    let share_bp = table.get("cancel_pay")?;
    let source = table
        .0
        .get("cancel_pay")
        .map(|r| r.source.as_str())
        .unwrap_or_default();
    Ok(Some(line(
        "cancellation",
        format!(
            "cancelled {} ahead (under {}): {} of {fee} — {source}",
            format_minutes(notice_s.max(0) / 60),
            format_minutes(notice_min),
            percent_text(share_bp)
        ),
        fee.percent(share_bp)?,
    )))
}

/// Free agreement: the flat fee, or the hourly rate for the time worked.
fn free(e: &Engagement) -> Result<Quote, StudioError> {
    match (e.flat_fee, e.hourly) {
        (Some(fee), None) => Quote::new(vec![line("session", "flat fee", fee)]),
        (None, Some(rate)) => Quote::new(vec![line(
            "session",
            format!("{} at {rate} per hour", format_minutes(e.worked_min)),
            rate.ratio(e.worked_min, 60)?,
        )]),
        _ => invalid(
            "fee",
            "a free agreement needs either a flat fee or an hourly rate",
        ),
    }
}
