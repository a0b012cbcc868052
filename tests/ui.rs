//! The desk window through egui_kittest: it opens on live meters, and they move as the demo plays
//! (values from the engine's snapshots, not painted constants); the production tabs say where
//! their work is done for now. Runs with `--features desk`.
#![cfg(feature = "desk")]

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use studiodesk::engine::live::{Input, LiveOptions};
use studiodesk::ui::Desk;

/// The text of the label containing `part` (AccessKit keeps a label's text as its value).
fn label_of(harness: &Harness<'_, Desk>, part: &str) -> String {
    let node = harness.get_by_label_contains(part);
    let node = node.accesskit_node();
    node.value().or_else(|| node.label()).unwrap_or_default()
}

#[test]
fn meters_move_when_the_demo_plays() {
    let desk = Desk::new(&LiveOptions {
        input: Input::Demo,
        ..LiveOptions::default()
    });
    let mut harness = Harness::builder()
        .with_size([1200.0, 600.0])
        .build_ui_state(|ui, desk: &mut Desk| desk.show(ui), desk);
    harness.run_steps(2);
    let mut readings = Vec::new();
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(400));
        harness.run_steps(2);
        readings.push((
            label_of(&harness, "Kick peak"),
            harness.state().snapshot().t_s,
        ));
    }
    // Time advances with the demo, and the kick's peak reading comes from the snapshots.
    assert!(readings.last().unwrap().1 > 1.0, "{readings:?}");
    let values: Vec<f64> = readings
        .iter()
        .filter_map(|(text, _)| text.trim_start_matches("Kick peak ").parse().ok())
        .collect();
    assert!(!values.is_empty(), "{readings:?}");
    let mut distinct: Vec<&String> = readings.iter().map(|(text, _)| text).collect();
    distinct.dedup();
    assert!(
        distinct.len() >= 2,
        "the kick's meter did not move: {readings:?}"
    );
    let kick = harness.state().snapshot().tracks[0].peak_dbfs;
    assert!(kick > -60.0 && kick < 0.0, "{kick}");
    assert!(label_of(&harness, "Integrated").contains("LUFS"));
    assert!(
        !label_of(&harness, "Integrated").contains("-inf"),
        "{}",
        label_of(&harness, "Integrated")
    );
}

#[test]
fn production_tabs_point_to_the_command_line_for_now() {
    let desk = Desk::new(&LiveOptions {
        input: Input::Demo,
        ..LiveOptions::default()
    });
    let mut harness = Harness::builder().build_ui_state(|ui, desk: &mut Desk| desk.show(ui), desk);
    harness.get_by_label("Bookings").click();
    harness.run_steps(2);
    assert!(label_of(&harness, "Not in the window yet").contains("studiodesk booking"));
}
