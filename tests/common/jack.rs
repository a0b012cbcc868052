//! A private JACK server on the dummy driver (real-time pacing with no sound card), started and
//! stopped by the test that owns it. For the tests built with `--features jack`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private JACK server: its own name, so tests and any user server do not meet.
pub struct Jack {
    pub name: String,
    server: Option<Child>,
}

impl Jack {
    pub fn start(tag: &str) -> Jack {
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

    pub fn studiodesk(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_studiodesk"));
        command
            .args(args)
            .env("JACK_DEFAULT_SERVER", &self.name)
            .env("JACK_NO_START_SERVER", "1");
        command
    }

    /// `studiodesk record` of the server's 2-channel input for `seconds` into `out` (the report
    /// as JSON when `json`).
    pub fn record(&self, seconds: u32, out: &std::path::Path, json: bool) -> Command {
        let seconds = seconds.to_string();
        let mut args = vec![
            "record",
            "--device",
            "input",
            "--channels",
            "2",
            "--duration",
            &seconds,
        ];
        if json {
            args.push("--json");
        }
        let mut command = self.studiodesk(&args);
        command.arg("--out").arg(out);
        command
    }

    /// JACK's `jack_cpu` client spending 99 % of every period on this server, so the graph
    /// misses its deadlines: xruns, as an overloaded machine makes them. Stopped when dropped.
    pub fn hog(&self) -> Hog {
        let hog = Command::new("jack_cpu")
            .args(["-n", "studiodesk-hog", "-c", "150", "-t", "60"])
            .env("JACK_DEFAULT_SERVER", &self.name)
            .env("JACK_NO_START_SERVER", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("jack_cpu (apt-get install jackd2)");
        std::thread::sleep(Duration::from_millis(500));
        Hog(hog)
    }

    /// Stop the server by PID (SIGTERM: it shuts down, its clients are told it is gone, as when
    /// an interface is pulled out, and it leaves JACK's registry clean).
    pub fn kill(&mut self) {
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

/// A `jack_cpu` client, killed when dropped (also when the test fails).
pub struct Hog(Child);

impl Drop for Hog {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
