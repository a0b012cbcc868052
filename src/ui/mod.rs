//! The desk window (eframe): live meter bridge and master section over the engine.
//!
//! Work in progress (issue 6): the Live tab shows every track's meter (peak bar with hold, RMS
//! inside it, true peak and clips) and the master's loudness, true peak, correlation and counters,
//! from the engine's snapshots. The production tabs say where to do that work for now (the CLI).
//! Views read state and draw; the engine is only reached through its handle.

use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, Rect, Sense, Stroke, StrokeKind, Ui, vec2};

use crate::engine::live::{Live, LiveOptions};
use crate::engine::snapshot::{CounterValues, MeterSnapshot};
use crate::meter::hold::PeakHold;

/// Meter scale, in dBFS.
const FLOOR_DB: f64 = -60.0;
/// Repaint interval while the engine runs (≈ 30 Hz).
const FRAME: Duration = Duration::from_millis(33);

/// The desk's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Live,
    Bookings,
    Hires,
    SoundCheck,
    Budget,
    SessionLog,
}

const TABS: [(Tab, &str, &str); 6] = [
    (Tab::Live, "Live", ""),
    (Tab::Bookings, "Bookings", "studiodesk booking …"),
    (
        Tab::Hires,
        "Musicians & hires",
        "studiodesk person … / studiodesk hire …",
    ),
    (Tab::SoundCheck, "Sound check", "studiodesk soundcheck …"),
    (Tab::Budget, "Budget", "studiodesk budget …"),
    (Tab::SessionLog, "Session log", "studiodesk log …"),
];

/// The desk: its state, and the running engine.
pub struct Desk {
    live: Option<Live>,
    /// Why the engine is not running.
    error: Option<String>,
    names: Vec<String>,
    holds: Vec<PeakHold>,
    tab: Tab,
    snapshot: MeterSnapshot,
    counters: CounterValues,
}

impl Desk {
    /// Start the engine with `options` (the demo session when no interface can be used) and open
    /// on the Live tab.
    pub fn new(options: &LiveOptions) -> Desk {
        let (live, error) = match Live::start(options) {
            Ok(live) => (Some(live), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let names = live
            .as_ref()
            .map(|l| l.track_names.clone())
            .unwrap_or_default();
        let now = Instant::now();
        Desk {
            holds: vec![PeakHold::new(now); names.len()],
            names,
            live,
            error,
            tab: Tab::Live,
            snapshot: MeterSnapshot::default(),
            counters: CounterValues::default(),
        }
    }

    /// The newest snapshot the desk shows.
    pub fn snapshot(&self) -> &MeterSnapshot {
        &self.snapshot
    }

    /// Draw the whole desk.
    pub fn show(&mut self, ui: &mut Ui) {
        if let Some(live) = &mut self.live {
            self.snapshot = live.handle.latest().clone();
            self.counters = live.handle.counters();
            ui.ctx().request_repaint_after(FRAME);
        }
        egui::Panel::top("tabs").show(ui, |ui| {
            ui.horizontal(|ui| {
                for (tab, label, _) in TABS {
                    ui.selectable_value(&mut self.tab, tab, label);
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| match self.tab {
            Tab::Live => self.live_view(ui),
            other => {
                let (_, label, cli) = TABS
                    .iter()
                    .find(|(t, ..)| *t == other)
                    .copied()
                    .unwrap_or(TABS[0]);
                ui.heading(label);
                ui.label(format!(
                    "Not in the window yet: use `{cli}` from the command line for now."
                ));
            }
        });
    }

    fn live_view(&mut self, ui: &mut Ui) {
        if let Some(error) = &self.error {
            ui.colored_label(Color32::RED, format!("The engine is not running: {error}"));
            return;
        }
        if let Some(live) = &self.live {
            ui.label(format!(
                "Input: {} — {} tracks at {} Hz",
                live.description, live.channels, live.rate_hz
            ));
        }
        let now = Instant::now();
        ui.horizontal(|ui| {
            for (i, name) in self.names.iter().enumerate() {
                let Some(t) = self.snapshot.tracks.get(i) else {
                    continue;
                };
                let hold = self.holds[i].update(t.peak_dbfs, now);
                ui.vertical(|ui| {
                    ui.set_width(86.0);
                    ui.label(egui::RichText::new(name).strong());
                    meter(ui, t.peak_dbfs, t.rms_dbfs, hold);
                    ui.label(format!("{name} peak {}", db(t.peak_dbfs)));
                    ui.label(format!("TP {}", db(t.true_peak_dbtp)));
                    ui.label(format!("M {}", db(t.momentary_lufs)));
                    let clips = format!("clips {}", t.clips);
                    if t.clips > 0 {
                        ui.colored_label(Color32::RED, clips);
                    } else {
                        ui.label(clips);
                    }
                });
            }
        });
        ui.separator();
        let m = &self.snapshot.master;
        ui.heading("Master");
        ui.horizontal(|ui| {
            ui.label(format!("Momentary {} LUFS", db(m.momentary_lufs)));
            ui.label(format!("Short-term {} LUFS", db(m.short_term_lufs)));
            ui.label(format!("Integrated {} LUFS", db(m.integrated_lufs)));
            ui.label(format!("LRA {:.1} LU", m.loudness_range_lu));
            ui.label(format!("True peak {} dBTP", db(m.true_peak_dbtp)));
            ui.label(format!("Correlation {:+.2}", m.correlation));
        });
        let c = &self.counters;
        ui.horizontal(|ui| {
            for (label, value) in [
                ("xruns", c.xruns),
                ("dropped frames", c.dropped_frames),
                ("dropped snapshots", c.dropped_snapshots),
            ] {
                let text = format!("{label} {value}");
                if value > 0 {
                    ui.colored_label(Color32::RED, text);
                } else {
                    ui.label(text);
                }
            }
            ui.label(format!("time {:.1} s", self.snapshot.t_s));
        });
    }
}

impl eframe::App for Desk {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

/// A level for people: one decimal, or "-inf".
fn db(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "-inf".into()
    }
}

/// Colour of a level: green below −18 dBFS, yellow to −6, orange to −3, red above.
fn zone(db: f64) -> Color32 {
    match db {
        d if d < -18.0 => Color32::from_rgb(40, 170, 70),
        d if d < -6.0 => Color32::from_rgb(220, 200, 40),
        d if d < -3.0 => Color32::from_rgb(235, 140, 30),
        _ => Color32::from_rgb(220, 40, 40),
    }
}

/// A vertical meter: the peak bar in its zone colour, the RMS darker inside it, the hold line.
fn meter(ui: &mut Ui, peak_db: f64, rms_db: f64, hold_db: f64) {
    let (response, painter) = ui.allocate_painter(vec2(24.0, 180.0), Sense::hover());
    let rect = response.rect;
    painter.rect_filled(rect, 2.0, Color32::from_gray(30));
    let height = |db: f64| (((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0) as f32) * rect.height();
    let bar = |db: f64| {
        Rect::from_min_max(
            rect.left_bottom() - vec2(0.0, height(db)),
            rect.right_bottom(),
        )
    };
    if peak_db.is_finite() {
        painter.rect_filled(bar(peak_db), 0.0, zone(peak_db));
    }
    if rms_db.is_finite() {
        painter.rect_filled(
            bar(rms_db).shrink2(vec2(5.0, 0.0)),
            0.0,
            zone(rms_db).gamma_multiply(0.5),
        );
    }
    if hold_db > FLOOR_DB {
        let y = rect.bottom() - height(hold_db);
        painter.hline(rect.x_range(), y, Stroke::new(2.0, Color32::WHITE));
    }
    for mark in [-6.0, -18.0, -40.0] {
        let y = rect.bottom() - height(mark);
        painter.hline(rect.x_range(), y, Stroke::new(1.0, Color32::from_gray(90)));
    }
    painter.rect_stroke(
        rect,
        2.0,
        Stroke::new(1.0, Color32::from_gray(80)),
        StrokeKind::Inside,
    );
}

/// Open the desk window.
pub fn run(options: &LiveOptions) -> anyhow::Result<()> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1100.0, 560.0])
            .with_title("studiodesk"),
        ..Default::default()
    };
    let desk = Desk::new(options);
    eframe::run_native(
        "studiodesk",
        native,
        Box::new(move |_cc| Ok(Box::new(desk))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
