//! The engine on a real-time audio server with no hardware: JACK's dummy driver, started and
//! stopped by this test (by PID), through cpal's JACK host. Runs with `--features jack`.
//! - A recording is paced by the server's clock and holds exactly the frames asked for.
//! - The server dying mid-take (the interface "unplugged"): the stream stops, the files are
//!   finalised with everything recorded, the error is reported, the process exits non-zero.
#![cfg(feature = "jack")]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A private JACK server: its own name, so tests and any user server do not meet.
struct Jack {
    name: String,
    server: Option<Child>,
}

impl Jack {
    fn start(tag: &str) -> Jack {
        // A fixed name per test: a server that died is found dead and its registry slot reused
        // (JACK's shared registry holds only a few servers).
        let name = format!("studiodesk-test-{tag}");
        let server = Command::new("jackd")
            .args(["-n", &name, "-r", "-d", "dummy", "-r", "48000", "-p", "256"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("jackd (apt-get install jackd2)");
        let jack = Jack {
            name,
            server: Some(server),
        };
        // Up when jack_lsp can list its ports.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let up = Command::new("jack_lsp")
                .env("JACK_DEFAULT_SERVER", &jack.name)
                .env("JACK_NO_START_SERVER", "1")
                .output()
                .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
            if up {
                return jack;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("jackd did not come up");
    }

    fn studiodesk(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_studiodesk"));
        command
            .args(args)
            .env("JACK_DEFAULT_SERVER", &self.name)
            .env("JACK_NO_START_SERVER", "1");
        command
    }

    /// Stop the server by PID (SIGTERM: it shuts down, its clients are told it is gone, as when
    /// an interface is pulled out, and it leaves JACK's registry clean).
    fn kill(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(server.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = server.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

impl Drop for Jack {
    fn drop(&mut self) {
        self.kill();
    }
}

#[test]
fn a_take_is_paced_by_the_server_clock() {
    let jack = Jack::start("paced");
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = jack
        .studiodesk(&[
            "record",
            "--device",
            "input",
            "--channels",
            "2",
            "--duration",
            "2",
            "--json",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for file in report["files"].as_array().unwrap() {
        assert_eq!(file["frames"].as_u64(), Some(96_000));
    }
    // Real time: two seconds of audio take about two seconds (the ALSA null device would take
    // a few milliseconds).
    assert!(elapsed > 1.9 && elapsed < 6.0, "took {elapsed} s");
}

#[test]
fn the_server_dying_mid_take_is_reported_and_the_files_are_kept() {
    let mut jack = Jack::start("lost");
    let dir = tempfile::tempdir().unwrap();
    let child = jack
        .studiodesk(&[
            "record",
            "--device",
            "input",
            "--channels",
            "2",
            "--duration",
            "60",
            "--out",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    jack.kill();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "did not stop after the server died"
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the input device went away"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2);
    let lengths: Vec<u32> = files
        .iter()
        .map(|f| hound::WavReader::open(f).unwrap().duration())
        .collect();
    assert!(lengths[0] > 24_000, "{lengths:?}");
    assert_eq!(lengths[0], lengths[1]);
    // The report names the files and their frames.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} frames", lengths[0])),
        "{stdout}"
    );
}
