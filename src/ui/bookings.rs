//! The Bookings tab: the facility calendar with the selected booking's details beside it, the
//! new booking form, rooms and projects, and the booking policies.

use eframe::egui::{self, Grid, RichText, Ui};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::Action;
use super::calendar::{self, CalendarState};
use super::production::{Gate, setting_row};
use super::studio::{Change, Loaded, RoomForm, SlotForm};
use super::widgets::{YELLOW, field};
use crate::studio::access::Role;
use crate::studio::app::Request;
use crate::studio::bookings::Status;
use crate::studio::units::format_local;

/// What the Bookings tab remembers.
#[derive(Clone, Debug)]
pub struct BookingsState {
    pub calendar: CalendarState,
    pub slot: SlotForm,
    pub ended_at: String,
    pub ics_path: String,
    pub room: RoomForm,
    pub project_title: String,
    pub project_artist: String,
    pub project_producer: String,
    pub project_currency: String,
    /// New values being typed for the booking policies, by name.
    pub policy_edits: std::collections::HashMap<String, String>,
}

impl BookingsState {
    pub fn new(today: Date) -> BookingsState {
        BookingsState {
            calendar: CalendarState::new(today),
            slot: SlotForm::default(),
            ended_at: String::new(),
            ics_path: "bookings.ics".into(),
            room: RoomForm::default(),
            project_title: String::new(),
            project_artist: String::new(),
            project_producer: String::new(),
            project_currency: "GBP".into(),
            policy_edits: Default::default(),
        }
    }
}

/// Width of the selected booking's details beside the calendar, in points.
const DETAILS_W: f32 = 360.0;

/// The facility calendar with the selected booking's details beside it; under them the new
/// booking form, the rooms and projects, and the booking policies.
pub fn bookings(
    ui: &mut Ui,
    state: &mut BookingsState,
    data: &Loaded,
    tz: &TimeZone,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_top(|ui| {
        let side = DETAILS_W.min(ui.available_width() * 0.4);
        let grid = ui.available_width() - side - 2.0 * ui.spacing().item_spacing.x - 1.0;
        ui.vertical(|ui| {
            ui.set_width(grid);
            calendar::show(ui, &mut state.calendar, data, tz, actions);
        });
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width(side);
            selected_booking(ui, state, data, tz, actions);
        });
    });
    ui.separator();
    new_booking(ui, state, data, actions);
    ui.separator();
    ui.collapsing("Rooms and projects", |ui| {
        rooms_and_projects(ui, state, data, actions)
    });
    ui.collapsing("Booking policies", |ui| {
        Grid::new("policies").striped(true).show(ui, |ui| {
            for setting in &data.settings {
                let edit = state.policy_edits.entry(setting.name.clone()).or_default();
                if setting_row(
                    ui,
                    &setting.name,
                    &setting.value.to_string(),
                    &setting.source,
                    edit,
                    Gate::new(data, Role::Manager),
                ) {
                    actions.push(Action::Studio(Change::Studio(Request::SetPolicy {
                        name: setting.name.clone(),
                        value: edit.clone(),
                    })));
                }
            }
        });
    });
}

fn new_booking(ui: &mut Ui, state: &mut BookingsState, data: &Loaded, actions: &mut Vec<Action>) {
    ui.heading("New booking");
    let slot = &mut state.slot;
    egui::ComboBox::from_label("Project")
        .selected_text(slot.project.clone())
        .show_ui(ui, |ui| {
            for p in &data.projects {
                ui.selectable_value(&mut slot.project, p.title.clone(), &p.title);
            }
        });
    egui::ComboBox::from_label("Room")
        .selected_text(slot.room.clone())
        .show_ui(ui, |ui| {
            for r in &data.rooms {
                ui.selectable_value(&mut slot.room, r.name.clone(), &r.name);
            }
        });
    ui.horizontal(|ui| field(ui, "Start", &mut slot.start, 130.0));
    ui.horizontal(|ui| field(ui, "End", &mut slot.end, 130.0));
    ui.horizontal(|ui| field(ui, "Days", &mut slot.days, 30.0));
    ui.horizontal(|ui| field(ui, "Engineer", &mut slot.engineer, 130.0));
    ui.horizontal(|ui| field(ui, "Assistant", &mut slot.assistant, 130.0));
    ui.label(
        "Times are local, e.g. 2026-12-01 10:00; a block of days repeats the first day's times.",
    );
    ui.horizontal(|ui| {
        if Gate::new(data, Role::Producer).clicked(ui, true, "Place hold") {
            actions.push(Action::Studio(Change::Hold(slot.clone())));
        }
        if Gate::new(data, Role::Producer).clicked(ui, true, "Book firm") {
            actions.push(Action::Studio(Change::Book(slot.clone())));
        }
    });
}

fn selected_booking(
    ui: &mut Ui,
    state: &mut BookingsState,
    data: &Loaded,
    tz: &TimeZone,
    actions: &mut Vec<Action>,
) {
    ui.heading("Selected booking");
    let Some(b) = &data.booking else {
        ui.label("Click a booking in the calendar.");
        return;
    };
    ui.label(b.describe(tz));
    if let Some((Some(cost), balance)) = &data.booking_money {
        let due = balance
            .due
            .map(|d| format!(", due {d}"))
            .unwrap_or_default();
        let billed = balance
            .charged
            .map(|c| {
                format!(
                    "; billed {c} {} with crew, musicians and VAT",
                    balance.currency
                )
            })
            .unwrap_or_default();
        ui.label(format!(
            "cost {cost} {}{billed}; paid {}{due}",
            b.currency, balance.paid
        ));
    }
    if let Some(reason) = &b.closed_reason {
        ui.label(format!("closed: {reason}"));
    }
    if let Some(deadline) = b.challenge_deadline_utc {
        ui.colored_label(
            YELLOW,
            format!(
                "challenged: firm or release by {}",
                format_local(deadline, tz)
            ),
        );
    }
    if let Some(lapses) = b.lapse_text(tz) {
        ui.label(lapses);
    }
    ui.horizontal(|ui| {
        let hold = b.status == Status::Hold;
        let producer = Gate::new(data, Role::Producer);
        if producer.clicked(ui, hold, "Firm") {
            actions.push(Action::Studio(Change::Studio(Request::Confirm(b.id))));
        }
        if producer.clicked(ui, hold, "Release") {
            actions.push(Action::Studio(Change::Studio(Request::Release(b.id))));
        }
        if producer.clicked(ui, hold && b.rank > Some(1), "Challenge") {
            actions.push(Action::Studio(Change::Studio(Request::Challenge(b.id))));
        }
        let manager = Gate::new(data, Role::Manager);
        if manager.clicked(ui, b.status == Status::Confirmed, "Cancel") {
            actions.push(Action::Studio(Change::Studio(Request::Cancel(b.id))));
        }
    });
    ui.horizontal(|ui| {
        field(ui, "Ended at", &mut state.ended_at, 130.0);
        if Gate::new(data, Role::Engineer).clicked(ui, true, "Record overtime") {
            actions.push(Action::Studio(Change::Ended {
                booking: b.id,
                at: state.ended_at.clone(),
            }));
        }
    });
    if !data.history.is_empty() {
        ui.collapsing(format!("History ({})", data.history.len()), |ui| {
            for change in data.history.iter().rev() {
                ui.label(change.line(tz));
            }
        });
    }
    ui.horizontal(|ui| {
        field(ui, "Calendar file", &mut state.ics_path, 130.0);
        if ui.button("Export .ics").clicked() {
            actions.push(Action::Studio(Change::ExportIcs(
                state.ics_path.clone().into(),
            )));
        }
    });
}

fn rooms_and_projects(
    ui: &mut Ui,
    state: &mut BookingsState,
    data: &Loaded,
    actions: &mut Vec<Action>,
) {
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        ui.label(RichText::new("Rooms").strong());
        for r in &data.rooms {
            ui.label(format!(
                "{}: {} {}/h, half day {}, day {}",
                r.name, r.hourly, r.currency, r.half_day, r.day
            ));
        }
        let room = &mut state.room;
        ui.horizontal(|ui| field(ui, "Room name", &mut room.name, 100.0));
        ui.horizontal(|ui| {
            field(ui, "Hourly", &mut room.hourly, 50.0);
            field(ui, "Half day", &mut room.half_day, 50.0);
            field(ui, "Day", &mut room.day, 50.0);
        });
        ui.horizontal(|ui| {
            field(ui, "Currency", &mut room.currency, 40.0);
            field(ui, "Setup", &mut room.setup, 40.0);
            field(ui, "Teardown", &mut room.teardown, 40.0);
            field(ui, "Overtime ×", &mut room.overtime, 40.0);
        });
        ui.horizontal(|ui| {
            if Gate::new(data, Role::Manager).clicked(ui, true, "Add room") {
                actions.push(Action::Studio(Change::AddRoom(room.clone())));
            }
            if Gate::new(data, Role::Manager)
                .button(ui, true, "Change room")
                .on_hover_text("change the named room's rates and times; blank fields stay")
                .clicked()
            {
                actions.push(Action::Studio(Change::SetRoom(room.clone())));
            }
        });
        let ui = &mut columns[1];
        ui.label(RichText::new("Projects").strong());
        for p in &data.projects {
            ui.label(format!(
                "{} — {} ({})",
                p.title,
                p.artist.as_deref().unwrap_or("no artist"),
                p.currency
            ));
        }
        ui.horizontal(|ui| field(ui, "Title", &mut state.project_title, 120.0));
        ui.horizontal(|ui| field(ui, "Artist", &mut state.project_artist, 120.0));
        ui.horizontal(|ui| field(ui, "Producer", &mut state.project_producer, 120.0));
        ui.horizontal(|ui| field(ui, "Project currency", &mut state.project_currency, 40.0));
        if Gate::new(data, Role::Producer).clicked(ui, true, "Add project") {
            actions.push(Action::Studio(Change::AddProject {
                title: state.project_title.clone(),
                artist: state.project_artist.clone(),
                producer: state.project_producer.clone(),
                currency: state.project_currency.clone(),
            }));
        }
    });
}
