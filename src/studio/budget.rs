//! Production budget: planned lines per category plus contingency, against actuals from confirmed
//! bookings (rate card and overtime), cancellation charges, musicians' fees and manual expenses.

use rusqlite::{Transaction, params};
use serde::Serialize;

use super::bookings::{self, Status};
use super::entities::project;
use super::hires;
use super::units::{Minor, Overflow};
use super::{StudioError, invalid};

/// Budget categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
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
    tx: &Transaction,
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
pub fn set_contingency(tx: &Transaction, project_key: &str, bp: i64) -> Result<(), StudioError> {
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
    tx: &Transaction,
    project_key: &str,
    category: Category,
    amount: Minor,
    note: &str,
    at: i64,
) -> Result<i64, StudioError> {
    let p = project(tx, project_key)?;
    tx.execute(
        "INSERT INTO expenses (project_id, category, amount, note, at_utc) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![p.id, category.as_str(), amount.0, note.trim(), at],
    )?;
    Ok(tx.last_insert_rowid())
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

/// A project's budget against its actuals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetReport {
    pub project: String,
    pub currency: String,
    pub rows: Vec<BudgetRow>,
    pub contingency_bp: i64,
    pub total: BudgetRow,
}

impl BudgetReport {
    /// The report as CSV: a header line, one line per category, then the total.
    pub fn csv(&self) -> String {
        let mut out = String::from("category,planned,actual,variance\n");
        for r in self.rows.iter().chain(std::iter::once(&self.total)) {
            out.push_str(&format!(
                "{},{},{},{}\n",
                r.category, r.planned, r.actual, r.variance
            ));
        }
        out
    }
}

/// The budget report of a project.
pub fn report(tx: &Transaction, project_key: &str) -> Result<BudgetReport, StudioError> {
    let p = project(tx, project_key)?;
    let mut actual = [Minor(0); CATEGORIES.len()];
    let index = |c: Category| {
        CATEGORIES
            .iter()
            .position(|x| *x == c)
            .expect("every category is listed")
    };
    for b in bookings::list(tx, None, Some(p.id))? {
        let charged = match b.status {
            Status::Confirmed => bookings::cost(tx, &b)?,
            Status::Cancelled => b.cancel_charge,
            Status::Hold | Status::Released => continue,
        };
        if b.currency != p.currency {
            return invalid(
                "currency",
                format!(
                    "booking #{} is in {} and the project in {}: no conversion is made",
                    b.id, b.currency, p.currency
                ),
            );
        }
        actual[index(Category::Studio)] = actual[index(Category::Studio)].plus(charged)?;
    }
    for h in hires::list(tx, None, Some(p.id))? {
        if bookings::get(tx, h.booking_id)?.status != Status::Confirmed {
            continue;
        }
        for line in hires::quote_hire(tx, &h)?.lines {
            let category = if matches!(line.kind, "cartage" | "porterage") {
                Category::Rentals
            } else {
                Category::Musicians
            };
            actual[index(category)] = actual[index(category)].plus(line.amount)?;
        }
    }
    let mut stmt = tx.prepare("SELECT category, amount FROM expenses WHERE project_id = ?1")?;
    let expenses: Vec<(String, i64)> = stmt
        .query_map([p.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (category, amount) in expenses {
        if let Some(i) = CATEGORIES.iter().position(|c| c.as_str() == category) {
            actual[i] = actual[i].plus(Minor(amount))?;
        }
    }
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
                actual: actual[i],
                variance: planned[i].minus(actual[i])?,
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
    let total_actual = Minor::total(actual)?;
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
    })
}
