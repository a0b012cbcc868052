//! The production tabs: musicians and hires, budget and session log (the Bookings tab is
//! `bookings.rs`), and what they share. Each view draws the data the worker loaded, keeps what is
//! being typed in its own state, and returns [`Action`]s; the requests behind them are the
//! command line's.

use eframe::egui::{self, Grid, RichText, Ui};
use jiff::tz::TimeZone;

use super::Action;
use super::studio::{Change, HireForm, Loaded, Selection};
use super::widgets::{RED, YELLOW, field};
use crate::studio::access::{self, Role};
use crate::studio::app::{NewPerson, Request, TakeChange};
use crate::studio::budget::Category;
use crate::studio::entities::{PersonKind, Union};
use crate::studio::log::{NewTake, TakeType};
use crate::studio::names::Named;
use crate::studio::units::{Minor, format_local, format_minutes};

/// A combo box over one of the studio's kinds, by the names the command line takes.
fn choice<T: Named>(ui: &mut Ui, label: &str, value: &mut T) {
    egui::ComboBox::from_label(label)
        .selected_text(value.name())
        .show_ui(ui, |ui| {
            for &v in T::ALL {
                ui.selectable_value(value, v, v.name());
            }
        });
}

/// What the desk's login may do: a button for what only a role may do is greyed out, saying
/// why, for a login without it (the server would refuse it anyway).
#[derive(Clone, Copy, Debug)]
pub(super) struct Gate {
    /// The login's role; `None` may do anything.
    pub role: Option<Role>,
    /// The role the action needs (or a manager).
    pub needs: Role,
}

impl Gate {
    pub(super) fn new(data: &Loaded, needs: Role) -> Gate {
        Gate {
            role: data.role,
            needs,
        }
    }

    /// The button `label`, enabled when the login may and the action is `ready`.
    pub(super) fn button(
        self,
        ui: &mut Ui,
        ready: bool,
        label: impl Into<egui::WidgetText>,
    ) -> egui::Response {
        let may = access::may(self.role, self.needs);
        let button = ui.add_enabled(ready && may, egui::Button::new(label));
        match self.role {
            Some(role) if !may => button.on_disabled_hover_text(access::not_for(role, self.needs)),
            _ => button,
        }
    }

    /// As [`Gate::button`], true when clicked.
    pub(super) fn clicked(
        self,
        ui: &mut Ui,
        ready: bool,
        label: impl Into<egui::WidgetText>,
    ) -> bool {
        self.button(ui, ready, label).clicked()
    }
}

/// One editable value in a grid: its name, what it is now, a field for the new value named
/// "<name> new value", and a Set button named "Set <name>". True when Set was clicked.
pub(super) fn setting_row(
    ui: &mut Ui,
    name: &str,
    now: &str,
    note: &str,
    edit: &mut String,
    gate: Gate,
) -> bool {
    ui.label(name);
    ui.label(now);
    let field = ui.add(egui::TextEdit::singleline(edit).desired_width(70.0));
    super::widgets::name(field, egui::Role::TextInput, &format!("{name} new value"));
    let set = gate.button(ui, true, "Set");
    let set = super::widgets::name(set, egui::Role::Button, &format!("Set {name}"));
    ui.label(RichText::new(note).weak());
    ui.end_row();
    set.clicked()
}

/// A combo box choosing the booking whose details the tab shows.
fn booking_picker(ui: &mut Ui, data: &Loaded, tz: &TimeZone, actions: &mut Vec<Action>) {
    let current = data
        .booking
        .as_ref()
        .map(|b| b.describe(tz))
        .unwrap_or_else(|| "choose a booking".into());
    egui::ComboBox::from_label("Booking")
        .selected_text(current)
        .width(360.0)
        .show_ui(ui, |ui| {
            for b in &data.current {
                let selected = data.selection.booking == Some(b.id);
                if ui.selectable_label(selected, b.describe(tz)).clicked() {
                    actions.push(Action::Select(Selection {
                        project: Some(b.project_id),
                        booking: Some(b.id),
                    }));
                }
            }
        });
}

// ---------------------------------------------------------------------------------------------
// Musicians & hires

/// What the Musicians & hires tab remembers.
#[derive(Clone, Debug)]
pub struct HiresState {
    pub hire: HireForm,
    pub name: String,
    pub kind: PersonKind,
    pub instruments: String,
    pub union: Union,
    pub contact: String,
    /// New values being typed for the rate tables, by agreement and name.
    pub rate_edits: std::collections::HashMap<(String, String), String>,
}

impl Default for HiresState {
    fn default() -> Self {
        HiresState {
            hire: HireForm::default(),
            name: String::new(),
            kind: PersonKind::Musician,
            instruments: String::new(),
            union: Union::Mu,
            contact: String::new(),
            rate_edits: Default::default(),
        }
    }
}

pub fn hires(
    ui: &mut Ui,
    state: &mut HiresState,
    data: &Loaded,
    tz: &TimeZone,
    actions: &mut Vec<Action>,
) {
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        ui.heading("People");
        Grid::new("people").striped(true).show(ui, |ui| {
            for p in &data.people {
                ui.label(&p.name);
                ui.label(p.kind.as_str());
                ui.label(&p.instruments);
                ui.label(p.union.as_str());
                ui.end_row();
            }
        });
        ui.separator();
        ui.horizontal(|ui| field(ui, "Name", &mut state.name, 140.0));
        choice(ui, "Kind", &mut state.kind);
        ui.horizontal(|ui| field(ui, "Instruments", &mut state.instruments, 140.0));
        choice(ui, "Union", &mut state.union);
        ui.horizontal(|ui| field(ui, "Contact", &mut state.contact, 140.0));
        if Gate::new(data, Role::Producer).clicked(ui, true, "Add person") {
            actions.push(Action::Studio(Change::Studio(Request::AddPerson(
                NewPerson {
                    name: state.name.clone(),
                    kind: state.kind,
                    instruments: state.instruments.clone(),
                    union: state.union,
                    contact: state.contact.clone(),
                },
            ))));
        }
        ui.collapsing("Rate tables", |ui| {
            ui.label("Money as 130.00, percentages as 14.09, minutes as 15 or 0h15m.");
            Grid::new("rates").striped(true).show(ui, |ui| {
                for rate in &data.rates {
                    let key = (rate.agreement.clone(), rate.name.clone());
                    let edit = state.rate_edits.entry(key).or_default();
                    let name = format!("{} {}", rate.agreement, rate.name);
                    let manager = Gate::new(data, Role::Manager);
                    if setting_row(ui, &name, &rate.value_text(), &rate.source, edit, manager)
                        && let Some(agreement) =
                            crate::studio::fees::Agreement::parse(&rate.agreement)
                    {
                        actions.push(Action::Studio(Change::Studio(Request::SetRate {
                            agreement,
                            name: rate.name.clone(),
                            value: edit.clone(),
                        })));
                    }
                }
            });
        });

        let ui = &mut columns[1];
        ui.heading("Hire onto a booking");
        booking_picker(ui, data, tz, actions);
        let Some(booking) = data.selection.booking else {
            ui.label("Choose the booking first.");
            return;
        };
        let form = &mut state.hire;
        egui::ComboBox::from_label("Musician")
            .selected_text(form.person.clone())
            .show_ui(ui, |ui| {
                for p in data
                    .people
                    .iter()
                    .filter(|p| p.kind == PersonKind::Musician)
                {
                    ui.selectable_value(&mut form.person, p.name.clone(), &p.name);
                }
            });
        choice(ui, "Role", &mut form.role);
        ui.horizontal(|ui| field(ui, "Instruments played", &mut form.instruments, 140.0));
        choice(ui, "Agreement", &mut form.agreement);
        choice(ui, "Session", &mut form.session);
        ui.horizontal(|ui| field(ui, "Worked", &mut form.worked, 60.0));
        ui.checkbox(&mut form.overdub, "overdub");
        ui.horizontal(|ui| {
            field(ui, "Porterage", &mut form.porterage, 40.0);
            let l = ui.label("Cartage");
            ui.add(egui::DragValue::new(&mut form.cartage).range(0..=20))
                .labelled_by(l.id);
        });
        ui.horizontal(|ui| {
            field(ui, "Flat fee", &mut form.flat, 60.0);
            field(ui, "Hourly", &mut form.hourly, 60.0);
        });
        if Gate::new(data, Role::Producer).clicked(ui, true, "Hire") {
            actions.push(Action::Studio(Change::Hire {
                booking,
                form: form.clone(),
            }));
        }
        ui.separator();
        for h in &data.hires {
            ui.label(
                RichText::new(format!(
                    "#{} {} — {}, {}, {} agreement, worked {}",
                    h.hire.id,
                    h.hire.person,
                    h.hire.role.as_str(),
                    h.hire.instruments,
                    h.hire.agreement.as_str(),
                    format_minutes(h.hire.worked_min)
                ))
                .strong(),
            );
            match &h.quote {
                Ok(quote) => {
                    Grid::new(("fee", h.hire.id)).show(ui, |ui| {
                        for line in &quote.lines {
                            ui.label(line.kind);
                            ui.label(line.amount.to_string());
                            ui.label(&line.label);
                            ui.end_row();
                        }
                        ui.label(RichText::new("total").strong());
                        ui.label(
                            RichText::new(format!("{} {}", quote.total, h.hire.currency)).strong(),
                        );
                        ui.end_row();
                    });
                }
                Err(e) => {
                    ui.colored_label(RED, e);
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Budget

/// What the Budget tab remembers.
#[derive(Clone, Debug)]
pub struct BudgetState {
    pub category: Category,
    pub amount: String,
    pub note: String,
    /// Contingency being typed, in percent.
    pub contingency: String,
    pub export_path: String,
    /// A payment being typed, in the project's currency.
    pub payment: String,
    pub payment_note: String,
    /// Where the invoice or quote is written.
    pub invoice_path: String,
}

impl Default for BudgetState {
    fn default() -> Self {
        BudgetState {
            category: Category::Studio,
            amount: String::new(),
            note: String::new(),
            contingency: String::new(),
            export_path: "budget.csv".into(),
            payment: String::new(),
            payment_note: String::new(),
            invoice_path: "invoice.pdf".into(),
        }
    }
}

pub fn budget(
    ui: &mut Ui,
    state: &mut BudgetState,
    data: &Loaded,
    tz: &TimeZone,
    actions: &mut Vec<Action>,
) {
    let current = data
        .selection
        .project
        .and_then(|id| data.projects.iter().find(|p| p.id == id))
        .map(|p| p.title.clone())
        .unwrap_or_else(|| "choose a project".into());
    egui::ComboBox::from_label("Project")
        .selected_text(current)
        .show_ui(ui, |ui| {
            for p in &data.projects {
                if ui
                    .selectable_label(data.selection.project == Some(p.id), &p.title)
                    .clicked()
                {
                    // Keep the session's booking when it belongs to this project.
                    let booking = data
                        .booking
                        .as_ref()
                        .filter(|b| b.project_id == p.id)
                        .map(|b| b.id);
                    actions.push(Action::Select(Selection {
                        project: Some(p.id),
                        booking,
                    }));
                }
            }
        });
    let Some(project) = data.selection.project else {
        return;
    };
    match &data.budget {
        Some(Ok(report)) => {
            Grid::new("budget").striped(true).show(ui, |ui| {
                for h in ["Category", "Planned", "Actual", "Variance"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for row in report.rows.iter().chain([&report.total]) {
                    ui.label(&row.category);
                    ui.label(row.planned.to_string());
                    ui.label(row.actual.to_string());
                    let variance = row.variance.to_string();
                    if row.variance.0 < 0 {
                        ui.colored_label(RED, variance);
                    } else {
                        ui.label(variance);
                    }
                    ui.end_row();
                }
            });
            ui.label(format!(
                "{} — contingency {} % included in the plan",
                report.currency,
                report.contingency_bp as f64 / 100.0
            ));
            for u in &report.unconverted {
                ui.colored_label(
                    YELLOW,
                    format!(
                        "not converted: {} {} {} (set a {} → {} rate)",
                        u.category, u.amount, u.currency, u.currency, report.currency
                    ),
                );
            }
            for r in &report.fx {
                ui.label(format!(
                    "converted at 1 {} = {} {}, set {}",
                    r.from,
                    r.rate_text(),
                    r.to,
                    format_local(r.set_utc, tz)
                ));
            }
        }
        Some(Err(e)) => {
            ui.colored_label(RED, e);
        }
        None => {}
    }
    ui.separator();
    ui.horizontal(|ui| {
        choice(ui, "Category", &mut state.category);
        field(ui, "Amount", &mut state.amount, 80.0);
        field(ui, "Note", &mut state.note, 160.0);
    });
    ui.horizontal(|ui| {
        if Gate::new(data, Role::Producer).clicked(ui, true, "Set plan") {
            actions.push(Action::Studio(Change::Plan {
                project,
                category: state.category,
                amount: state.amount.clone(),
            }));
        }
        if Gate::new(data, Role::Producer).clicked(ui, true, "Add expense") {
            actions.push(Action::Studio(Change::Expense {
                project,
                category: state.category,
                amount: state.amount.clone(),
                note: state.note.clone(),
            }));
        }
    });
    ui.horizontal(|ui| {
        field(ui, "Contingency %", &mut state.contingency, 50.0);
        if Gate::new(data, Role::Producer).clicked(ui, true, "Set contingency") {
            actions.push(Action::Studio(Change::SetContingency {
                project,
                percent: state.contingency.clone(),
            }));
        }
    });
    account(ui, state, data, project, actions);
    ui.separator();
    ui.horizontal(|ui| {
        field(ui, "Budget file", &mut state.export_path, 160.0);
        if ui.button("Export CSV").clicked() {
            actions.push(Action::Studio(Change::ExportBudget {
                project,
                path: state.export_path.clone().into(),
            }));
        }
    });
}

/// The project's account: billed (with VAT), paid, due; a payment; the invoice and the quote.
fn account(
    ui: &mut Ui,
    state: &mut BudgetState,
    data: &Loaded,
    project: i64,
    actions: &mut Vec<Action>,
) {
    ui.separator();
    match &data.account {
        Some(Ok(doc)) => {
            ui.horizontal(|ui| {
                let billed = Minor(doc.previously_invoiced.0.saturating_add(doc.total.0));
                ui.label(format!("Billed {billed} {}", doc.currency));
                ui.label(format!("paid {}", doc.paid));
                let due = RichText::new(format!("due {}", doc.balance_due)).strong();
                if doc.balance_due.0 > 0 {
                    ui.colored_label(YELLOW, due);
                } else {
                    ui.label(due);
                }
            });
        }
        Some(Err(e)) => {
            ui.colored_label(RED, e);
        }
        None => {}
    }
    let booking = data
        .booking
        .as_ref()
        .filter(|b| b.project_id == project)
        .map(|b| b.id);
    ui.horizontal(|ui| {
        field(ui, "Payment", &mut state.payment, 80.0);
        field(ui, "Payment note", &mut state.payment_note, 140.0);
        let label = match booking {
            Some(id) => format!("Record payment on #{id}"),
            None => "Record payment".to_string(),
        };
        if Gate::new(data, Role::Manager).clicked(ui, true, label) {
            actions.push(Action::Studio(Change::Payment {
                project,
                booking,
                amount: state.payment.clone(),
                note: state.payment_note.clone(),
            }));
        }
    });
    ui.horizontal(|ui| {
        field(ui, "Invoice file", &mut state.invoice_path, 160.0);
        for (label, quote) in [("Make invoice", false), ("Make quote", true)] {
            if Gate::new(data, Role::Producer).clicked(ui, true, label) {
                actions.push(Action::Studio(Change::Invoice {
                    project,
                    quote,
                    path: state.invoice_path.clone().into(),
                }));
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Session log

/// What the Session log tab remembers.
#[derive(Clone, Debug)]
pub struct LogState {
    /// Notes being edited, per take id.
    pub notes: std::collections::HashMap<i64, String>,
    pub note: String,
    pub channel: i64,
    pub source: String,
    pub mic: String,
    pub sheet_path: String,
    /// Song of a take logged by hand.
    pub song: String,
}

impl Default for LogState {
    fn default() -> Self {
        LogState {
            notes: Default::default(),
            note: String::new(),
            channel: 1,
            source: String::new(),
            mic: String::new(),
            sheet_path: "take-sheet.csv".into(),
            song: String::new(),
        }
    }
}

pub fn session_log(
    ui: &mut Ui,
    state: &mut LogState,
    data: &Loaded,
    tz: &TimeZone,
    actions: &mut Vec<Action>,
) {
    booking_picker(ui, data, tz, actions);
    let Some(booking) = data.selection.booking else {
        ui.label("Choose the booking whose log to keep; takes recorded in the Live tab go there.");
        return;
    };
    ui.heading("Takes");
    Grid::new("takes").striped(true).show(ui, |ui| {
        for h in [
            "Song", "Take", "Time", "Length", "Rating", "Circled", "Type", "Notes",
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for t in &data.takes {
            let name = format!("{} take {}", t.song, t.take_no);
            ui.label(&t.song);
            ui.label(t.take_no.to_string());
            ui.label(format_local(t.start_utc, tz));
            ui.label(format!("{:.1} s", t.duration_s));
            ui.horizontal(|ui| {
                for stars in 1..=5 {
                    let star = ui.add(
                        egui::Button::selectable(stars <= t.rating, stars.to_string()).small(),
                    );
                    let star = super::widgets::name(
                        star,
                        egui::Role::Button,
                        &format!("Rate {name} {stars}"),
                    );
                    if star.clicked() {
                        let rating = if t.rating == stars { 0 } else { stars };
                        actions.push(Action::Studio(Change::Studio(Request::ChangeTake(
                            TakeChange {
                                id: t.id,
                                rating: Some(rating),
                                ..TakeChange::default()
                            },
                        ))));
                    }
                }
            });
            let mut circled = t.circled;
            if ui
                .checkbox(&mut circled, format!("Circle {name}"))
                .changed()
            {
                actions.push(Action::Studio(Change::Studio(Request::ChangeTake(
                    TakeChange {
                        id: t.id,
                        circled: Some(circled),
                        ..TakeChange::default()
                    },
                ))));
            }
            let mut take_type = t.take_type;
            egui::ComboBox::from_id_salt(("type", t.id))
                .selected_text(t.take_type.as_str())
                .show_ui(ui, |ui| {
                    for v in TakeType::ALL {
                        ui.selectable_value(&mut take_type, *v, v.as_str());
                    }
                });
            if take_type != t.take_type {
                actions.push(Action::Studio(Change::Studio(Request::ChangeTake(
                    TakeChange {
                        id: t.id,
                        take_type: Some(take_type),
                        ..TakeChange::default()
                    },
                ))));
            }
            let notes = state.notes.entry(t.id).or_insert_with(|| t.notes.clone());
            let edit = ui.add(egui::TextEdit::singleline(notes).desired_width(200.0));
            let edit = super::widgets::name(edit, egui::Role::TextInput, &format!("Notes {name}"));
            if edit.lost_focus() && *notes != t.notes {
                actions.push(Action::Studio(Change::Studio(Request::ChangeTake(
                    TakeChange {
                        id: t.id,
                        notes: Some(notes.clone()),
                        ..TakeChange::default()
                    },
                ))));
            }
            ui.end_row();
        }
    });
    ui.horizontal(|ui| {
        field(
            ui,
            "Song of a take recorded elsewhere",
            &mut state.song,
            140.0,
        );
        if Gate::new(data, Role::Engineer).clicked(ui, true, "Log take") {
            actions.push(Action::Studio(Change::Studio(Request::LogTake {
                booking,
                take: NewTake {
                    song: state.song.clone(),
                    start_utc: crate::studio::units::now(),
                    ..NewTake::default()
                },
            })));
        }
    });
    ui.horizontal(|ui| {
        field(ui, "Take sheet file", &mut state.sheet_path, 160.0);
        for (label, markdown) in [("Export CSV", false), ("Export Markdown", true)] {
            if ui.button(label).clicked() {
                actions.push(Action::Studio(Change::ExportSheet {
                    booking,
                    path: state.sheet_path.clone().into(),
                    markdown,
                }));
            }
        }
    });
    ui.separator();
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        ui.heading("Notes and markers");
        for e in &data.entries {
            ui.label(format!(
                "{} {} — {}",
                format_local(e.at_utc, tz),
                e.kind,
                e.text
            ));
        }
        ui.horizontal(|ui| {
            field(ui, "Note", &mut state.note, 200.0);
            if Gate::new(data, Role::Engineer).clicked(ui, true, "Add note") {
                actions.push(Action::Studio(Change::Studio(Request::Note {
                    booking,
                    marker: false,
                    at_utc: crate::studio::units::now(),
                    text: state.note.clone(),
                })));
            }
        });
        let ui = &mut columns[1];
        ui.heading("Input list");
        Grid::new("inputs").striped(true).show(ui, |ui| {
            for i in &data.inputs {
                ui.label(i.channel.to_string());
                ui.label(&i.source);
                ui.label(&i.mic);
                ui.end_row();
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("Channel");
            ui.add(egui::DragValue::new(&mut state.channel).range(1..=256))
                .labelled_by(l.id);
            field(ui, "Source", &mut state.source, 90.0);
            field(ui, "Mic", &mut state.mic, 90.0);
            if Gate::new(data, Role::Engineer).clicked(ui, true, "Set input") {
                actions.push(Action::Studio(Change::Studio(Request::SetInput {
                    booking,
                    channel: state.channel,
                    source: state.source.clone(),
                    mic: state.mic.clone(),
                })));
            }
        });
    });
}
