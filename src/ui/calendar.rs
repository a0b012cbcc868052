//! The facility calendar: a day or a week of time across, one lane per room down, and in each
//! lane the bookings stacked by standing: the confirmed one and the 1st hold on the top row, the
//! 2nd hold under it, and so on. What a studio manager looks at all day.

use eframe::egui::{
    self, Align2, Color32, FontId, Rect, Response, RichText, Sense, Stroke, StrokeKind, Ui,
    WidgetInfo, pos2, vec2,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use super::Action;
use super::studio::{Loaded, Selection};
use super::widgets::{GREEN, RED, YELLOW, field};
use crate::studio::bookings::{Booking, Status};
use crate::studio::pricing;
use crate::studio::units::format_local;

/// How much time the calendar shows at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Day,
    Week,
}

impl Span {
    fn days(self) -> i64 {
        match self {
            Span::Day => 1,
            Span::Week => 7,
        }
    }
}

/// What the calendar is looking at.
#[derive(Clone, Debug)]
pub struct CalendarState {
    /// The first day shown (a Monday for a week).
    pub first: Date,
    pub span: Span,
    /// Released holds and cancelled bookings are drawn too (greyed).
    pub show_closed: bool,
    /// A date being typed to go to ("2027-03-01").
    pub go_to: String,
    /// Why the date typed could not be gone to.
    pub go_to_problem: Option<String>,
}

impl CalendarState {
    /// The week of `today`.
    pub fn new(today: Date) -> CalendarState {
        CalendarState {
            first: monday(today),
            span: Span::Week,
            show_closed: false,
            go_to: String::new(),
            go_to_problem: None,
        }
    }

    /// Turn to the day or week holding `day`.
    pub fn show_day(&mut self, day: Date) {
        self.first = match self.span {
            Span::Day => day,
            Span::Week => monday(day),
        };
    }

    /// The days shown, in order.
    pub fn days(&self) -> Vec<Date> {
        (0..self.span.days())
            .filter_map(|d| self.first.checked_add(d.days()).ok())
            .collect()
    }

    /// The instants (UTC seconds) the calendar spans: the first day's local midnight to the
    /// midnight after the last day (23 or 25 hours a day across a clock change).
    pub fn window(&self, tz: &TimeZone) -> (i64, i64) {
        let from = midnight(self.first, tz);
        let to = self
            .first
            .checked_add(self.span.days().days())
            .map_or(from + self.span.days() * 86_400, |d| midnight(d, tz));
        (from, to)
    }

    fn turn(&mut self, forward: bool) {
        let step = if forward {
            self.span.days()
        } else {
            -self.span.days()
        };
        self.first = self.first.checked_add(step.days()).unwrap_or(self.first);
    }
}

/// The Monday on or before `day`.
pub fn monday(day: Date) -> Date {
    let back = day.weekday().to_monday_zero_offset() as i64;
    day.checked_sub(back.days()).unwrap_or(day)
}

/// `day`'s first instant in `tz`, in UTC seconds.
fn midnight(day: Date, tz: &TimeZone) -> i64 {
    day.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp().as_second())
        .unwrap_or_default()
}

/// The colour a booking is drawn in: green confirmed, yellow 1st hold, amber later holds, grey
/// closed.
fn status_colour(b: &Booking) -> Color32 {
    match (b.status, b.rank) {
        (Status::Confirmed, _) => GREEN,
        (Status::Hold, Some(1)) => YELLOW,
        (Status::Hold, _) => Color32::from_rgb(200, 160, 60),
        _ => Color32::GRAY,
    }
}

/// The stretches of time booking `b` occupies (UTC seconds): each day of a block at its times,
/// else start to end.
pub fn pieces(b: &Booking, tz: &TimeZone) -> Vec<Stretch> {
    if b.days > 1
        && let Ok(days) = pricing::sessions(b.start_utc, b.end_utc, b.days, b.first_end_utc, tz)
    {
        return days;
    }
    vec![(b.start_utc, b.end_utc)]
}

/// A stretch of time: its first and end instant (UTC seconds, end excluded).
pub type Stretch = (i64, i64);

/// What a booking claims of its lane, for stacking.
#[derive(Clone, Debug)]
pub struct Claim {
    /// 0 confirmed, its rank for a hold, `i64::MAX` closed.
    pub standing: i64,
    /// Its start (UTC seconds), for ties.
    pub start_utc: i64,
    pub pieces: Vec<Stretch>,
}

impl Claim {
    fn of(b: &Booking, pieces: Vec<Stretch>) -> Claim {
        Claim {
            standing: match (b.status, b.rank) {
                (Status::Confirmed, _) => 0,
                (Status::Hold, Some(rank)) => rank,
                (Status::Hold, None) => 1,
                _ => i64::MAX,
            },
            start_utc: b.start_utc,
            pieces,
        }
    }
}

/// The row of its lane each booking is drawn on. Confirmed bookings come first, then holds in
/// rank order, then closed ones; each takes the first row where it overlaps nothing already
/// placed, so a 1st hold sits on the top row and the 2nd hold on the same time under it.
pub fn stack(lane: &[Claim]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..lane.len()).collect();
    order.sort_by_key(|&i| (lane[i].standing, lane[i].start_utc, i));
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut row_of = vec![0; lane.len()];
    let overlaps = |a: &[(i64, i64)], b: &[(i64, i64)]| {
        a.iter()
            .any(|&(s, e)| b.iter().any(|&(s2, e2)| s < e2 && s2 < e))
    };
    for i in order {
        let free = rows.iter().position(|row| {
            row.iter()
                .all(|&j| !overlaps(&lane[i].pieces, &lane[j].pieces))
        });
        let row = free.unwrap_or_else(|| {
            rows.push(Vec::new());
            rows.len() - 1
        });
        rows[row].push(i);
        row_of[i] = row;
    }
    row_of
}

/// The day or week's navigation; true when the window moved (the desk then loads it).
fn navigation(ui: &mut Ui, state: &mut CalendarState, today: Date) -> bool {
    let before = (state.first, state.span);
    ui.horizontal(|ui| {
        if ui.button("Previous").clicked() {
            state.turn(false);
        }
        if ui.button("Today").clicked() {
            state.show_day(today);
        }
        if ui.button("Next").clicked() {
            state.turn(true);
        }
        let mut span = state.span;
        ui.selectable_value(&mut span, Span::Day, "Day");
        ui.selectable_value(&mut span, Span::Week, "Week");
        if span != state.span {
            state.span = span;
            // A week starts on the Monday of the day shown; a day is the week's Monday.
            state.show_day(state.first);
        }
        let title = match state.span {
            Span::Day => state.first.strftime("%a %Y-%m-%d").to_string(),
            Span::Week => format!("Week of {}", state.first),
        };
        ui.label(RichText::new(title).strong());
        ui.checkbox(&mut state.show_closed, "show released and cancelled");
    });
    ui.horizontal(|ui| {
        let typed = field(ui, "Go to date", &mut state.go_to, 90.0);
        let entered = typed.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Go").clicked() || entered {
            match state.go_to.trim().parse::<Date>() {
                Ok(day) => {
                    state.show_day(day);
                    state.go_to_problem = None;
                }
                Err(_) => {
                    state.go_to_problem = Some(format!(
                        "'{}' is not a date: type it as 2027-03-01",
                        state.go_to.trim()
                    ));
                }
            }
        }
        if let Some(problem) = &state.go_to_problem {
            ui.colored_label(RED, problem);
        }
    });
    before != (state.first, state.span)
}

/// Height of one row of a lane, in points.
const ROW_H: f32 = 22.0;
/// Width of the room names' column, in points.
const NAMES_W: f32 = 110.0;
/// Height of a day's heading (its name and the hours), in points.
const HEADING_H: f32 = 20.0;
/// The hour a day is drawn from unless a booking starts earlier (studios rarely open before).
const OPENING_HOUR: i64 = 8;

/// The calendar: navigation, then each day shown as a band of lanes, one per room, with the
/// hours across. Clicking a booking selects it.
pub fn show(
    ui: &mut Ui,
    state: &mut CalendarState,
    data: &Loaded,
    tz: &TimeZone,
    actions: &mut Vec<Action>,
) {
    let today = Timestamp::now().to_zoned_datetime(tz.clone()).date();
    if navigation(ui, state, today) {
        actions.push(Action::Select(data.selection));
    }
    if data.rooms.is_empty() {
        ui.label("No rooms yet: add one under \"Rooms and projects\" below.");
        return;
    }
    if data.window != state.window(tz) {
        ui.label("loading…");
    }
    let shown: Vec<(&Booking, Vec<Stretch>)> = data
        .bookings
        .iter()
        .filter(|b| state.show_closed || matches!(b.status, Status::Hold | Status::Confirmed))
        .map(|b| (b, pieces(b, tz)))
        .collect();
    let days: Vec<Day> = state
        .days()
        .into_iter()
        .map(|day| Day::of(day, tz, &data.rooms, &shown))
        .collect();
    let opening = days
        .iter()
        .map(Day::earliest_hour)
        .min()
        .unwrap_or(OPENING_HOUR);
    let mut named = std::collections::HashSet::new();
    for day in &days {
        let height = HEADING_H + day.lanes.iter().map(Lane::height).sum::<f32>();
        let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::hover());
        let band = Band {
            rect,
            from: day.from + opening * 3600,
            to: day.to,
            left: rect.left() + NAMES_W,
        };
        band.heading(ui, day, opening);
        let mut top = rect.top() + HEADING_H;
        for (k, lane) in day.lanes.iter().enumerate() {
            let strip =
                Rect::from_min_size(pos2(rect.left(), top), vec2(rect.width(), lane.height()));
            if k % 2 == 0 {
                ui.painter()
                    .rect_filled(strip, 0.0, ui.visuals().faint_bg_color);
            }
            ui.painter().text(
                pos2(rect.left() + 4.0, top + ROW_H / 2.0 + 2.0),
                Align2::LEFT_CENTER,
                &lane.name,
                FontId::proportional(13.0),
                ui.visuals().strong_text_color(),
            );
            band.hour_lines(ui, strip, opening);
            for drawn in &lane.bookings {
                let b = drawn.booking;
                let place = Place {
                    y: top + 2.0 + drawn.row as f32 * ROW_H,
                    named: named.insert(b.id),
                    selected: data.selection.booking == Some(b.id),
                };
                band.booking(ui, b, &drawn.pieces, place, tz, actions);
            }
            top += lane.height();
        }
        band.now_line(ui);
        ui.add_space(4.0);
    }
}

/// One day: its instants and a lane per room.
struct Day<'a> {
    date: Date,
    /// Its first and end instant (UTC seconds).
    from: i64,
    to: i64,
    lanes: Vec<Lane<'a>>,
}

impl<'a> Day<'a> {
    fn of(
        date: Date,
        tz: &TimeZone,
        rooms: &[crate::studio::entities::Room],
        shown: &[(&'a Booking, Vec<Stretch>)],
    ) -> Day<'a> {
        let from = midnight(date, tz);
        let to = date
            .checked_add(1.day())
            .map_or(from + 86_400, |d| midnight(d, tz));
        let lanes = rooms
            .iter()
            .map(|room| Lane::of(room.id, &room.name, shown, (from, to)))
            .collect();
        Day {
            date,
            from,
            to,
            lanes,
        }
    }

    /// The hour of the day's earliest booking, or the opening hour if none is earlier.
    fn earliest_hour(&self) -> i64 {
        self.lanes
            .iter()
            .flat_map(|lane| &lane.bookings)
            .flat_map(|d| &d.pieces)
            .map(|&(start, _)| (start.max(self.from) - self.from) / 3600)
            .fold(OPENING_HOUR, i64::min)
    }
}

/// One room on one day: its bookings' stretches within the day, each booking with its row.
struct Lane<'a> {
    name: String,
    bookings: Vec<Drawn<'a>>,
}

/// A booking as a lane draws it.
struct Drawn<'a> {
    booking: &'a Booking,
    /// Its stretches within the day.
    pieces: Vec<Stretch>,
    row: usize,
}

impl<'a> Lane<'a> {
    fn of(
        room: i64,
        name: &str,
        shown: &[(&'a Booking, Vec<Stretch>)],
        (from, to): Stretch,
    ) -> Lane<'a> {
        let mine: Vec<(&Booking, Vec<Stretch>)> = shown
            .iter()
            .filter(|(b, _)| b.room_id == room)
            .map(|(b, pieces)| {
                let today = pieces
                    .iter()
                    .filter(|&&(s, e)| s < to && e > from)
                    .copied()
                    .collect();
                (*b, today)
            })
            .filter(|(_, today): &(_, Vec<_>)| !today.is_empty())
            .collect();
        let claims: Vec<Claim> = mine
            .iter()
            .map(|(b, pieces)| Claim::of(b, pieces.clone()))
            .collect();
        let rows = stack(&claims);
        Lane {
            name: name.to_string(),
            bookings: mine
                .into_iter()
                .zip(rows)
                .map(|((booking, pieces), row)| Drawn {
                    booking,
                    pieces,
                    row,
                })
                .collect(),
        }
    }

    fn height(&self) -> f32 {
        let rows = self.bookings.iter().map(|d| d.row + 1).max().unwrap_or(1);
        rows as f32 * ROW_H + 4.0
    }
}

/// Where a booking's boxes go on a band.
struct Place {
    /// Top of its row, in points.
    y: f32,
    /// Its first box on the calendar: the one named for screen readers and tests.
    named: bool,
    selected: bool,
}

/// Where one day is drawn and the time it spans across.
struct Band {
    rect: Rect,
    /// First and end instant drawn (UTC seconds): from the opening hour to the day's end.
    from: i64,
    to: i64,
    /// Where time starts, right of the room names.
    left: f32,
}

impl Band {
    fn x(&self, t: i64) -> f32 {
        let f = (t - self.from) as f32 / (self.to - self.from).max(1) as f32;
        self.left + f.clamp(0.0, 1.0) * (self.rect.right() - self.left)
    }

    /// The day's name and its hours.
    fn heading(&self, ui: &Ui, day: &Day, opening: i64) {
        let painter = ui.painter();
        let y = self.rect.top() + HEADING_H / 2.0;
        painter.text(
            pos2(self.rect.left() + 4.0, y),
            Align2::LEFT_CENTER,
            day.date.strftime("%a %Y-%m-%d").to_string(),
            FontId::proportional(12.0),
            ui.visuals().strong_text_color(),
        );
        for hour in (opening..24).step_by(2) {
            painter.text(
                pos2(self.x(day.from + hour * 3600) + 2.0, y),
                Align2::LEFT_CENTER,
                format!("{hour:02}"),
                FontId::proportional(10.0),
                ui.visuals().weak_text_color(),
            );
        }
    }

    /// A faint line at each hour across one lane.
    fn hour_lines(&self, ui: &Ui, strip: Rect, opening: i64) {
        let colour = ui.visuals().widgets.noninteractive.bg_stroke.color;
        for hour in opening..24 {
            let x = self.x(self.from + (hour - opening) * 3600);
            let width = if hour % 6 == 0 { 1.0 } else { 0.4 };
            ui.painter().line_segment(
                [pos2(x, strip.top()), pos2(x, strip.bottom())],
                Stroke::new(width, colour),
            );
        }
    }

    fn now_line(&self, ui: &Ui) {
        let now = crate::studio::units::now();
        if (self.from..self.to).contains(&now) {
            let x = self.x(now);
            ui.painter().line_segment(
                [
                    pos2(x, self.rect.top() + HEADING_H),
                    pos2(x, self.rect.bottom()),
                ],
                Stroke::new(1.5, RED),
            );
        }
    }

    /// Booking `b`'s stretches on this day as boxes, with an overrun drawn in red after the
    /// booked end. Clicking a box selects the booking.
    fn booking(
        &self,
        ui: &mut Ui,
        b: &Booking,
        pieces: &[Stretch],
        place: Place,
        tz: &TimeZone,
        actions: &mut Vec<Action>,
    ) {
        let colour = status_colour(b);
        for (k, &(start, end)) in pieces.iter().enumerate() {
            let y = place.y;
            let boxed = Rect::from_min_max(
                pos2(self.x(start), y),
                pos2(self.x(end).max(self.x(start) + 4.0), y + ROW_H - 3.0),
            );
            let label = box_label(b, start, end, tz);
            let id = egui::Id::unique(("calendar", b.id, start, k));
            let response = ui.interact(boxed, id, Sense::click());
            if place.named && k == 0 {
                response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &label));
            }
            let painter = ui.painter();
            let fill = if response.hovered() {
                colour
            } else {
                colour.gamma_multiply(0.8)
            };
            painter.rect_filled(boxed, 3.0, fill);
            if place.selected {
                painter.rect_stroke(
                    boxed,
                    3.0,
                    Stroke::new(2.0, ui.visuals().strong_text_color()),
                    StrokeKind::Outside,
                );
            }
            painter.with_clip_rect(boxed.shrink(1.0)).text(
                pos2(boxed.left() + 3.0, boxed.center().y),
                Align2::LEFT_CENTER,
                &label,
                FontId::proportional(11.0),
                Color32::BLACK,
            );
            if end >= b.end_utc {
                self.overrun(ui, b, y);
            }
            clicked(response, b, tz, actions);
        }
    }

    /// The time a session ran past its booked end, as a red bar after it.
    fn overrun(&self, ui: &Ui, b: &Booking, y: f32) {
        if let Some(actual) = b.actual_end_utc.filter(|&a| a > b.end_utc) {
            let bar = Rect::from_min_max(
                pos2(self.x(b.end_utc), y + ROW_H - 8.0),
                pos2(self.x(actual), y + ROW_H - 3.0),
            );
            ui.painter().rect_filled(bar, 1.0, RED);
        }
    }
}

/// What a booking's box says: "#3 10:00–18:00 2nd hold · Album".
fn box_label(b: &Booking, start: i64, end: i64, tz: &TimeZone) -> String {
    let time = |t: i64| {
        format_local(t, tz)
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_string()
    };
    format!(
        "#{} {}–{} {} · {}",
        b.id,
        time(start),
        time(end),
        b.state(),
        b.project
    )
}

fn clicked(response: Response, b: &Booking, tz: &TimeZone, actions: &mut Vec<Action>) {
    let response = response.on_hover_text(b.describe(tz));
    if response.clicked() {
        actions.push(Action::Select(Selection {
            project: Some(b.project_id),
            booking: Some(b.id),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    fn claim(standing: i64, pieces: Vec<Stretch>) -> Claim {
        Claim {
            standing,
            start_utc: pieces[0].0,
            pieces,
        }
    }

    #[test]
    fn holds_stack_by_rank_and_free_time_shares_the_top_row() {
        // A 2nd hold placed before the 1st in the list, a 3rd, a confirmed booking later in
        // the day, and a hold the next morning that overlaps nothing.
        let lane = [
            claim(2, vec![(10 * H, 18 * H)]),
            claim(1, vec![(10 * H, 18 * H)]),
            claim(3, vec![(12 * H, 14 * H)]),
            claim(0, vec![(19 * H, 23 * H)]),
            claim(1, vec![(34 * H, 40 * H)]),
        ];
        assert_eq!(stack(&lane), vec![1, 0, 2, 0, 0]);
    }

    #[test]
    fn a_block_overlaps_only_on_its_days() {
        // A block of two days 10–18 and a hold on the night between them: both on the top row.
        let lane = [
            claim(0, vec![(10 * H, 18 * H), (34 * H, 42 * H)]),
            claim(1, vec![(20 * H, 30 * H)]),
            claim(1, vec![(40 * H, 44 * H)]),
        ];
        assert_eq!(stack(&lane), vec![0, 0, 1]);
    }

    #[test]
    fn a_week_spans_seven_local_days_across_a_clock_change() {
        let tz = TimeZone::get("Europe/London").unwrap();
        // The clocks go forward on Sunday 2027-03-28: that week is an hour short.
        let mut state = CalendarState::new(jiff::civil::date(2027, 3, 25));
        assert_eq!(state.first, jiff::civil::date(2027, 3, 22));
        let (from, to) = state.window(&tz);
        assert_eq!(to - from, 7 * 86_400 - 3600);
        state.span = Span::Day;
        state.show_day(jiff::civil::date(2027, 3, 28));
        let (from, to) = state.window(&tz);
        assert_eq!(to - from, 23 * 3600);
        state.turn(true);
        assert_eq!(state.first, jiff::civil::date(2027, 3, 29));
    }
}
