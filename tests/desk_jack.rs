//! The desk on a JACK server (the dummy driver, no sound card) that an overloaded client makes
//! miss its deadlines: the xruns reach the window's counter. Runs with `--features jack`.
//! One test in its own binary: the JACK server is chosen through the process's environment.
#![cfg(all(feature = "jack", feature = "desk"))]

mod common;

use std::time::{Duration, Instant};

use common::jack::Jack;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use studiodesk::engine::live::{Input, LiveOptions};
use studiodesk::studio::units::time_zone;
use studiodesk::ui::{Desk, DeskOptions};

/// The number the window shows beside `label` ("xruns 12" → 12).
fn shown(harness: &Harness<'_, Desk>, label: &str) -> u64 {
    let node = harness.get_by_label_contains(label);
    let node = node.accesskit_node();
    let text = node.value().or_else(|| node.label()).unwrap_or_default();
    text.trim_start_matches(label)
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn xruns_on_the_server_show_in_the_window() {
    let jack = Jack::start("desk");
    // SAFETY: the only test of this binary, and no other thread reads the environment yet.
    unsafe {
        std::env::set_var("JACK_DEFAULT_SERVER", &jack.name);
        std::env::set_var("JACK_NO_START_SERVER", "1");
    }
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::new(DeskOptions {
        live: LiveOptions {
            input: Input::Device("input".into()),
            channels: Some(2),
            ..LiveOptions::default()
        },
        db: dir.path().join("studio.db").into(),
        tz: time_zone(Some("Europe/London")).unwrap(),
        takes_dir: dir.path().join("takes"),
        exports_dir: dir.path().to_path_buf(),
        session: "test".into(),
        timecode: Default::default(),
    });
    let mut harness = Harness::builder()
        .with_size([1280.0, 900.0])
        .build_ui_state(|ui, desk: &mut Desk| desk.show(ui), desk);
    harness.run_steps(2);
    assert!(harness.state().running(), "{:?}", harness.state().problem());
    assert_eq!(
        harness.state().status(),
        None,
        "the JACK input, not the demo"
    );
    // A client joining the graph may itself cost a cycle: count from here.
    let before = shown(&harness, "xruns");

    let hog = jack.hog();
    let deadline = Instant::now() + Duration::from_secs(10);
    while shown(&harness, "xruns") <= before {
        assert!(Instant::now() < deadline, "no xrun reached the window");
        std::thread::sleep(Duration::from_millis(50));
        harness.run_steps(1);
    }
    drop(hog);
    assert!(harness.state().running());
    assert_eq!(shown(&harness, "dropped frames"), 0);
}
