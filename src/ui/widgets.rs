//! Small drawing pieces the views share: level formatting, colour zones, the vertical meter, the
//! correlation meter, and accessible names for compact controls.

use eframe::egui::{
    self, Align2, Color32, FontId, Rect, Response, Role, Sense, Stroke, StrokeKind, Ui, WidgetInfo,
    vec2,
};

/// Bottom of the level meters, in dBFS.
pub const FLOOR_DB: f64 = -60.0;
/// Scale marks of the level meters, in dBFS.
const MARKS_DB: [f64; 7] = [0.0, -3.0, -6.0, -12.0, -18.0, -30.0, -48.0];

pub const GREEN: Color32 = Color32::from_rgb(40, 170, 70);
pub const YELLOW: Color32 = Color32::from_rgb(220, 200, 40);
pub const ORANGE: Color32 = Color32::from_rgb(235, 140, 30);
pub const RED: Color32 = Color32::from_rgb(220, 40, 40);

/// A level for people: one decimal, or "-inf".
pub fn db(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "-inf".into()
    }
}

/// Colour of a sample level: green below −18 dBFS, yellow to −6, orange to −3, red above.
pub fn zone(db: f64) -> Color32 {
    match db {
        d if d < -18.0 => GREEN,
        d if d < -6.0 => YELLOW,
        d if d < -3.0 => ORANGE,
        _ => RED,
    }
}

/// A counter that must stay at zero: plain while it does, red once it does not.
pub fn counter(ui: &mut Ui, label: &str, value: u64) {
    let text = format!("{label} {value}");
    if value > 0 {
        ui.colored_label(RED, text);
    } else {
        ui.label(text);
    }
}

/// Give a compact control (a one-letter toggle, a slider without text) its full name for screen
/// readers and tests.
pub fn name(response: Response, kind: Role, name: &str) -> Response {
    let selected = response.clone();
    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(kind, selected.enabled(), name);
        info.selected = None;
        info
    });
    response
}

/// A toggle shown as a short letter, named in full for screen readers.
/// A labelled one-line text field; its response.
pub fn field(ui: &mut Ui, label: &str, text: &mut String, width: f32) -> Response {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(text).desired_width(width))
        .labelled_by(l.id)
}

pub fn toggle(ui: &mut Ui, on: &mut bool, letter: &str, full: &str, colour: Color32) -> bool {
    let text = if *on {
        egui::RichText::new(letter)
            .strong()
            .color(Color32::BLACK)
            .background_color(colour)
    } else {
        egui::RichText::new(letter)
    };
    let response = ui.selectable_label(*on, text).on_hover_text(full);
    let clicked = response.clicked();
    if clicked {
        *on = !*on;
    }
    response.widget_info(|| WidgetInfo::selected(Role::CheckBox, true, *on, full));
    clicked
}

/// Height in points of level `db` on a meter `height` points tall.
fn level_height(db: f64, height: f32) -> f32 {
    (((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0) as f32) * height
}

/// A vertical level meter: the peak bar in its zone colour, the RMS darker inside it, the peak-hold
/// line, and the dBFS scale to its left.
pub fn level_meter(ui: &mut Ui, peak_db: f64, rms_db: f64, hold_db: f64, height: f32) {
    let (response, painter) = ui.allocate_painter(vec2(44.0, height), Sense::hover());
    let scale = Rect::from_min_size(response.rect.min, vec2(20.0, height));
    let rect = Rect::from_min_max(
        response.rect.min + vec2(22.0, 0.0),
        response.rect.right_bottom(),
    );
    painter.rect_filled(rect, 2.0, Color32::from_gray(30));
    let bar = |db: f64| {
        Rect::from_min_max(
            rect.left_bottom() - vec2(0.0, level_height(db, rect.height())),
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
        let y = rect.bottom() - level_height(hold_db, rect.height());
        painter.hline(rect.x_range(), y, Stroke::new(2.0, Color32::WHITE));
    }
    for mark in MARKS_DB {
        let y = rect.bottom() - level_height(mark, rect.height());
        painter.hline(rect.x_range(), y, Stroke::new(1.0, Color32::from_gray(70)));
        painter.text(
            egui::pos2(scale.right(), y),
            Align2::RIGHT_CENTER,
            format!("{}", mark as i32),
            FontId::proportional(9.0),
            Color32::from_gray(160),
        );
    }
    painter.text(
        egui::pos2(scale.right(), scale.bottom()),
        Align2::RIGHT_BOTTOM,
        "dBFS",
        FontId::proportional(8.0),
        Color32::from_gray(160),
    );
    painter.rect_stroke(
        rect,
        2.0,
        Stroke::new(1.0, Color32::from_gray(80)),
        StrokeKind::Inside,
    );
}

/// A horizontal bar for a loudness reading against a scale from `low` to `high` (LUFS or LU),
/// with a pointer at `pointer` (the short-term reading) and a mark at `target`.
pub fn loudness_bar(ui: &mut Ui, value: f64, pointer: f64, target: f64, low: f64, high: f64) {
    let (response, painter) = ui.allocate_painter(vec2(ui.available_width(), 22.0), Sense::hover());
    let rect = response.rect;
    painter.rect_filled(rect, 2.0, Color32::from_gray(30));
    let x =
        |v: f64| rect.left() + (((v - low) / (high - low)).clamp(0.0, 1.0) as f32) * rect.width();
    if value.is_finite() {
        let colour = if (value - target).abs() <= 1.0 {
            GREEN
        } else if value > target {
            RED
        } else {
            YELLOW
        };
        painter.rect_filled(
            Rect::from_min_max(rect.left_top(), egui::pos2(x(value), rect.bottom())),
            0.0,
            colour,
        );
    }
    painter.vline(x(target), rect.y_range(), Stroke::new(2.0, Color32::WHITE));
    if pointer.is_finite() {
        let px = x(pointer);
        painter.add(egui::Shape::convex_polygon(
            vec![
                egui::pos2(px, rect.bottom() - 8.0),
                egui::pos2(px - 5.0, rect.bottom()),
                egui::pos2(px + 5.0, rect.bottom()),
            ],
            Color32::LIGHT_BLUE,
            Stroke::NONE,
        ));
    }
    let step = if high - low > 30.0 { 10.0 } else { 5.0 };
    let mut v = (low / step).ceil() * step;
    while v <= high {
        painter.text(
            egui::pos2(x(v), rect.top() + 1.0),
            Align2::CENTER_TOP,
            format!("{v:.0}"),
            FontId::proportional(9.0),
            Color32::from_gray(190),
        );
        v += step;
    }
}

/// The stereo correlation meter: −1 to +1, red left of centre, green right of it.
pub fn correlation_meter(ui: &mut Ui, correlation: f64) {
    let (response, painter) = ui.allocate_painter(vec2(200.0, 18.0), Sense::hover());
    let rect = response.rect;
    painter.rect_filled(rect, 2.0, Color32::from_gray(30));
    let centre = rect.center().x;
    painter.rect_filled(
        Rect::from_min_max(rect.left_top(), egui::pos2(centre, rect.bottom())),
        0.0,
        RED.gamma_multiply(0.25),
    );
    painter.vline(
        centre,
        rect.y_range(),
        Stroke::new(1.0, Color32::from_gray(120)),
    );
    if correlation.is_finite() {
        let x = centre + (correlation.clamp(-1.0, 1.0) as f32) * rect.width() / 2.0;
        let colour = if correlation < 0.0 { RED } else { GREEN };
        painter.rect_filled(
            Rect::from_center_size(egui::pos2(x, rect.center().y), vec2(6.0, rect.height())),
            1.0,
            colour,
        );
    }
    for (text, align, at) in [
        ("−1", Align2::LEFT_CENTER, rect.left() + 2.0),
        ("+1", Align2::RIGHT_CENTER, rect.right() - 2.0),
    ] {
        painter.text(
            egui::pos2(at, rect.center().y),
            align,
            text,
            FontId::proportional(10.0),
            Color32::from_gray(200),
        );
    }
    painter.rect_stroke(
        rect,
        2.0,
        Stroke::new(1.0, Color32::from_gray(80)),
        StrokeKind::Inside,
    );
}
