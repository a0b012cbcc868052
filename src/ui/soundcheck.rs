//! The Sound check tab: choose a profile and channels, listen to the live input for a few
//! seconds (on a capture thread, never the UI's), read the verdict per channel with its advice,
//! keep it with the booking and export the client's report.

use eframe::egui::{self, Grid, RichText, Ui};

use super::Action;
use super::production::Gate;
use super::studio::{Change, Loaded};
use super::widgets::{GREEN, RED, YELLOW};
use crate::soundcheck::{Report, Verdict, report};
use crate::studio::access::Role;

/// What the Sound check tab remembers.
#[derive(Clone, Debug)]
pub struct SoundcheckState {
    pub profile: String,
    /// Listening time, in seconds.
    pub seconds: f64,
    /// Channels to check (by track index).
    pub channels: Vec<bool>,
    /// The newest result, and where it came from.
    pub report: Option<Report>,
    pub source: String,
    /// The newest result as a table (see [`report::rows`]).
    pub rows: Vec<[String; 6]>,
    /// The newest result has been kept.
    pub kept: bool,
    /// A kept check being looked at: its id and table.
    pub shown: Option<(i64, Vec<[String; 6]>)>,
    pub export_path: String,
    /// New threshold values being typed, by field.
    pub threshold_edits: std::collections::HashMap<String, String>,
}

impl SoundcheckState {
    pub fn new(tracks: usize) -> SoundcheckState {
        SoundcheckState {
            profile: "tracking".into(),
            seconds: 3.0,
            channels: vec![true; tracks],
            report: None,
            source: String::new(),
            rows: Vec::new(),
            kept: false,
            shown: None,
            export_path: "soundcheck.md".into(),
            threshold_edits: Default::default(),
        }
    }
}

impl SoundcheckState {
    /// Show a new result (not yet kept).
    pub fn set_report(&mut self, report: Report) {
        self.rows = serde_json::to_value(&report)
            .map(|v| report::rows(&v))
            .unwrap_or_default();
        self.report = Some(report);
        self.kept = false;
    }
}

fn verdict_colour(v: Verdict) -> egui::Color32 {
    match v {
        Verdict::Pass => GREEN,
        Verdict::Warn => YELLOW,
        Verdict::Fail => RED,
    }
}

/// Draw the tab. `names` are the channels' names (the input list's where it has them);
/// `listening` is true while a capture runs.
pub fn view(
    ui: &mut Ui,
    state: &mut SoundcheckState,
    data: &Loaded,
    names: &[String],
    listening: bool,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("Profile")
            .selected_text(state.profile.clone())
            .show_ui(ui, |ui| {
                for p in &data.profiles {
                    ui.selectable_value(&mut state.profile, p.name.clone(), &p.name)
                        .on_hover_text(&p.description);
                }
            });
        ui.add(
            egui::Slider::new(&mut state.seconds, 1.0..=30.0)
                .text("seconds")
                .step_by(1.0),
        );
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Channels:");
        for (on, name) in state.channels.iter_mut().zip(names) {
            ui.checkbox(on, name);
        }
    });
    ui.horizontal(|ui| {
        let any = state.channels.iter().any(|c| *c);
        if ui
            .add_enabled(!listening && any, egui::Button::new("Run sound check"))
            .clicked()
        {
            actions.push(Action::RunSoundcheck);
        }
        if listening {
            ui.spinner();
            ui.label(format!("listening for {:.0} s…", state.seconds));
        }
    });
    if let Some(profile) = data.profiles.iter().find(|p| p.name == state.profile) {
        ui.collapsing("Profile thresholds", |ui| {
            Grid::new("thresholds").striped(true).show(ui, |ui| {
                for field in crate::soundcheck::profile::FIELDS {
                    let Some(value) = profile.field(field) else {
                        continue;
                    };
                    let edit = state.threshold_edits.entry(field.to_string()).or_default();
                    let engineer = Gate::new(data, Role::Engineer);
                    let now = format!("{value}");
                    if super::production::setting_row(ui, field, &now, "", edit, engineer) {
                        actions.push(Action::Studio(Change::SetThreshold {
                            profile: profile.name.clone(),
                            field: field.to_string(),
                            value: edit.clone(),
                        }));
                    }
                }
            });
        });
    }
    kept(ui, state, data, actions);
    let Some(report) = &state.report else {
        return;
    };
    ui.separator();
    ui.label(
        RichText::new(format!(
            "Verdict: {} — profile {}, {} channel(s), {:.1} s of {}",
            report.verdict.as_str().to_uppercase(),
            report.profile,
            report.channels.len(),
            report.seconds,
            state.source
        ))
        .strong()
        .color(verdict_colour(report.verdict)),
    );
    table(ui, "soundcheck", &state.rows);
    ui.horizontal(|ui| {
        let target = match data.selection.booking {
            Some(id) => format!("Keep with booking #{id}"),
            None => "Keep (no booking chosen)".into(),
        };
        if Gate::new(data, Role::Engineer).clicked(ui, !state.kept, target) {
            actions.push(Action::SaveSoundcheck);
        }
        if state.kept {
            ui.label("kept");
        }
    });
}

/// A verdict table (rows as [`report::rows`] makes them), the verdicts coloured.
fn table(ui: &mut Ui, id: &str, rows: &[[String; 6]]) {
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(300.0)
        .show(ui, |ui| {
            Grid::new(id).striped(true).show(ui, |ui| {
                for h in report::COLUMNS {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                let mut previous: Option<&str> = None;
                for row in rows {
                    // A channel is named on its first row only, with its worst verdict.
                    let channel = row[0].as_str();
                    if previous == Some(channel) {
                        ui.label("");
                    } else {
                        let worst = rows
                            .iter()
                            .filter(|r| r[0] == channel)
                            .filter_map(|r| Verdict::parse(&r[2]))
                            .max();
                        match worst {
                            Some(v) => ui.colored_label(
                                verdict_colour(v),
                                format!("{channel} {}", v.as_str().to_uppercase()),
                            ),
                            None => ui.label(channel),
                        };
                    }
                    previous = Some(channel);
                    for (column, cell) in row.iter().enumerate().skip(1) {
                        match Verdict::parse(cell).filter(|_| column == 2) {
                            Some(v) => ui.colored_label(verdict_colour(v), cell),
                            None => ui.label(cell),
                        };
                    }
                    ui.end_row();
                }
            });
        });
}

/// The checks kept with the selected booking, each exportable as the client's report.
fn kept(ui: &mut Ui, state: &mut SoundcheckState, data: &Loaded, actions: &mut Vec<Action>) {
    if data.checks.is_empty() {
        return;
    }
    ui.collapsing("Kept with this booking", |ui| {
        let path = &mut state.export_path;
        ui.horizontal(|ui| {
            let l = ui.label("Report file");
            ui.add(egui::TextEdit::singleline(path).desired_width(180.0))
                .labelled_by(l.id);
        });
        for check in &data.checks {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "#{} {} {} ({})",
                    check.id,
                    check.profile,
                    check.verdict.to_uppercase(),
                    check.source
                ));
                let showing = state.shown.as_ref().is_some_and(|(id, _)| *id == check.id);
                if ui
                    .selectable_label(showing, format!("Show #{}", check.id))
                    .clicked()
                {
                    state.shown = if showing {
                        None
                    } else {
                        let report = serde_json::from_str(&check.report).unwrap_or_default();
                        Some((check.id, report::rows(&report)))
                    };
                }
                for (label, html) in [("Export Markdown", false), ("Export HTML", true)] {
                    if ui.button(label).clicked() {
                        actions.push(Action::Studio(Change::ExportCheck {
                            id: check.id,
                            path: path.clone().into(),
                            html,
                        }));
                    }
                }
            });
        }
        // A check shown from another booking is not shown here.
        if let Some((id, rows)) = &state.shown
            && data.checks.iter().any(|c| c.id == *id)
        {
            if rows.is_empty() {
                ui.label(format!("sound check #{id} has no readable table"));
            }
            table(ui, "kept", rows);
        }
    });
}
