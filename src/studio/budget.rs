//! Production budget: planned lines per category plus contingency, against actuals from confirmed
//! bookings (rate card and overtime), cancellation charges, musicians' fees and manual expenses.

use crate::studio::db::{Tx, params};
use serde::Serialize;

use super::bookings::{self, Status};
use super::crew;
use super::entities::project;
use super::fx::{Converter, FxRate};
use super::hires;
use super::units::{Minor, Overflow};
use super::{StudioError, invalid};

/// Budget categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Room hire: confirmed bookings at the rate card, overtime, cancellation charges.
    Studio,
    Engineer,
    /// Musicians' fees (session, overtime, doubling, pension, health & welfare).
    Musicians,
    /// Rentals, cartage and porterage.
    Rentals,
    Mixing,
    Mastering,
    Other,
}

pub const CATEGORIES: [Category; 7] = [
    Category::Studio,
    Category::Engineer,
    Category::Musicians,
    Category::Rentals,
    Category::Mixing,
    Category::Mastering,
    Category::Other,
];

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Studio => "studio",
            Category::Engineer => "engineer",
            Category::Musicians => "musicians",
            Category::Rentals => "rentals",
            Category::Mixing => "mixing",
            Category::Mastering => "mastering",
            Category::Other => "other",
        }
    }
}

/// Set the planned amount of a category.
pub fn plan(
    tx: &Tx,
    project_key: &str,
    category: Category,
    amount: Minor,
) -> Result<(), StudioError> {
    let p = project(tx, project_key)?;
    tx.execute(
        "INSERT INTO budget_lines (project_id, category, planned) VALUES (?1, ?2, ?3)
         ON CONFLICT (project_id, category) DO UPDATE SET planned = excluded.planned",
        params![p.id, category.as_str(), amount.0],
    )?;
    Ok(())
}

/// Set the contingency, in basis points of the planned total.
pub fn set_contingency(tx: &Tx, project_key: &str, bp: i64) -> Result<(), StudioError> {
    if !(0..=10_000).contains(&bp) {
        return invalid("contingency", "between 0 % and 100 %");
    }
    let p = project(tx, project_key)?;
    tx.execute(
        "UPDATE projects SET contingency_bp = ?2 WHERE id = ?1",
        params![p.id, bp],
    )?;
    Ok(())
}

/// Record a manual expense.
pub fn expense(
    tx: &Tx,
    project_key: &str,
    category: Category,
    amount: Minor,
    note: &str,
    at: i64,
) -> Result<i64, StudioError> {
    let p = project(tx, project_key)?;
    let new_id = tx.insert(
        "INSERT INTO expenses (project_id, category, amount, note, at_utc) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![p.id, category.as_str(), amount.0, note.trim(), at],
    )?;
    Ok(new_id)
}

/// One category of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetRow {
    pub category: String,
    pub planned: Minor,
    pub actual: Minor,
    /// Planned − actual: positive is under budget.
    pub variance: Minor,
}

/// Actuals in a currency the project has no exchange rate for: shown, not summed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unconverted {
    pub category: String,
    pub currency: String,
    pub amount: Minor,
}

/// A project's budget against its actuals, in the project's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetReport {
    pub project: String,
    pub currency: String,
    pub rows: Vec<BudgetRow>,
    pub contingency_bp: i64,
    pub total: BudgetRow,
    /// The exchange rates the actuals were converted with, each with the time it was set.
    pub fx: Vec<FxRate>,
    /// Actuals in currencies with no rate set, per category: not in the rows or the total.
    pub unconverted: Vec<Unconverted>,
}

impl BudgetReport {
    /// The report as CSV: a header line, one line per category, then the total; then any lines
    /// not converted, and the rates used with when each was set (in `tz`).
    pub fn csv(&self, tz: &jiff::tz::TimeZone) -> String {
        let mut out = String::from("category,planned,actual,variance\n");
        for r in self.rows.iter().chain(std::iter::once(&self.total)) {
            out.push_str(&format!(
                "{},{},{},{}\n",
                r.category, r.planned, r.actual, r.variance
            ));
        }
        for u in &self.unconverted {
            out.push_str(&format!(
                "{} in {} (not converted: no rate to {}),,{},\n",
                u.category, u.currency, self.currency, u.amount
            ));
        }
        if !self.fx.is_empty() {
            out.push_str("\nrate,from,to,set\n");
            for r in &self.fx {
                out.push_str(&format!(
                    "{},{},{},{}\n",
                    r.rate_text(),
                    r.from,
                    r.to,
                    super::units::format_local(r.set_utc, tz)
                ));
            }
        }
        out
    }
}

/// Actuals being summed into a project's currency.
struct Actuals {
    converter: Converter,
    sums: [Minor; CATEGORIES.len()],
    unconverted: Vec<Unconverted>,
}

impl Actuals {
    fn add(&mut self, category: Category, amount: Minor, currency: &str) -> Result<(), Overflow> {
        let i = CATEGORIES
            .iter()
            .position(|x| *x == category)
            .expect("every category is listed");
        match self.converter.convert(amount, currency)? {
            Some(converted) => self.sums[i] = self.sums[i].plus(converted)?,
            None => match self
                .unconverted
                .iter_mut()
                .find(|u| u.category == category.as_str() && u.currency == currency)
            {
                Some(u) => u.amount = u.amount.plus(amount)?,
                None => self.unconverted.push(Unconverted {
                    category: category.as_str().to_string(),
                    currency: currency.to_string(),
                    amount,
                }),
            },
        }
        Ok(())
    }
}

/// Where a fee line of a musician belongs: cartage and porterage are rentals.
fn fee_category(kind: &str) -> Category {
    if matches!(kind, "cartage" | "porterage") {
        Category::Rentals
    } else {
        Category::Musicians
    }
}

/// The budget report of a project. Room time, fees and expenses in another currency are
/// converted with the rates the user set; without one they are listed apart, not summed.
pub fn report(tx: &Tx, project_key: &str) -> Result<BudgetReport, StudioError> {
    let p = project(tx, project_key)?;
    let mut actual = Actuals {
        converter: Converter::load(tx, &p.currency)?,
        sums: [Minor(0); CATEGORIES.len()],
        unconverted: Vec::new(),
    };
    for b in bookings::list(tx, None, Some(p.id))? {
        // Room time and overtime are converted apart, as the invoice lines them.
        let charged = match b.status {
            Status::Confirmed => bookings::cost_parts(tx, &b)?,
            Status::Cancelled => [b.cancel_charge, Minor(0)],
            Status::Hold | Status::Released => continue,
        };
        for part in charged {
            actual.add(Category::Studio, part, &b.currency)?;
        }
        if b.status == Status::Confirmed {
            for c in crew::costs(tx, &b)? {
                actual.add(Category::Engineer, c.amount, &c.currency)?;
            }
        }
    }
    for h in hires::list(tx, None, Some(p.id))? {
        match bookings::get(tx, h.booking_id)?.status {
            Status::Confirmed => {
                for line in hires::quote_hire(tx, &h)?.lines {
                    actual.add(fee_category(line.kind), line.amount, &h.currency)?;
                }
            }
            Status::Cancelled => {
                if let Some(pay) = hires::cancellation_owed(tx, &h)? {
                    actual.add(Category::Musicians, pay.amount, &h.currency)?;
                }
            }
            Status::Hold | Status::Released => {}
        }
    }
    let mut stmt = tx.prepare("SELECT category, amount FROM expenses WHERE project_id = ?1")?;
    let expenses: Vec<(String, i64)> = stmt
        .query_map([p.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (category, amount) in expenses {
        if let Some(c) = CATEGORIES.iter().find(|c| c.as_str() == category) {
            actual.add(*c, Minor(amount), &p.currency)?;
        }
    }
    let actual_sums = actual.sums;
    let mut stmt =
        tx.prepare("SELECT category, planned FROM budget_lines WHERE project_id = ?1")?;
    let planned_lines: Vec<(String, i64)> = stmt
        .query_map([p.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut planned = [Minor(0); CATEGORIES.len()];
    for (category, amount) in planned_lines {
        if let Some(i) = CATEGORIES.iter().position(|c| c.as_str() == category) {
            planned[i] = Minor(amount);
        }
    }
    let mut rows: Vec<BudgetRow> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(BudgetRow {
                category: c.as_str().to_string(),
                planned: planned[i],
                actual: actual_sums[i],
                variance: planned[i].minus(actual_sums[i])?,
            })
        })
        .collect::<Result<_, Overflow>>()?;
    let planned_sum = Minor::total(planned)?;
    let contingency = planned_sum.percent(p.contingency_bp)?;
    rows.push(BudgetRow {
        category: "contingency".into(),
        planned: contingency,
        actual: Minor(0),
        variance: contingency,
    });
    let total_planned = planned_sum.plus(contingency)?;
    let total_actual = Minor::total(actual_sums)?;
    Ok(BudgetReport {
        project: p.title,
        currency: p.currency,
        rows,
        contingency_bp: p.contingency_bp,
        total: BudgetRow {
            category: "total".into(),
            planned: total_planned,
            actual: total_actual,
            variance: total_planned.minus(total_actual)?,
        },
        fx: actual.converter.used().to_vec(),
        unconverted: actual.unconverted,
    })
}
