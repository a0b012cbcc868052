//! A real PostgreSQL server for the tests, started in a temporary folder by the first test that
//! needs one (Debian's `postgresql` package; `initdb` and `pg_ctl` run as the `postgres` user, as
//! the server refuses root) and stopped by its process id when the test binary ends: a watcher
//! process waits for the binary to exit, however it exits, then stops the server and removes
//! the folder.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running test server.
pub struct Server {
    pub port: u16,
    pub dir: PathBuf,
    bin: PathBuf,
}

/// The server's programs: Debian keeps them in /usr/lib/postgresql/VERSION/bin.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed: apt-get install postgresql (the README's test command does)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no initdb under /usr/lib/postgresql/*/bin")
}

fn as_postgres(program: &std::path::Path) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).arg(program);
    c
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// The test binary's server, started on first use.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(start)
}

fn start() -> Server {
    let bin = bin_dir();
    let dir = tempfile::Builder::new()
        .prefix("studiodesk-pg-")
        .tempdir()
        .expect("a folder for the server")
        .keep();
    let status = Command::new("chown")
        .arg("postgres")
        .arg(&dir)
        .status()
        .expect("chown");
    assert!(status.success(), "chown postgres {}", dir.display());
    let data = dir.join("data");
    let out = as_postgres(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-A", "scram-sha-256", "-U", "studiodesk", "--pwfile"])
        .arg(write_password(&dir))
        .output()
        .expect("initdb");
    assert!(
        out.status.success(),
        "initdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Several test binaries start servers at once: retry on a port taken meanwhile.
    for _ in 0..5 {
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            dir.display()
        );
        let out = as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "-o", &options, "start"])
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl start");
        if out.status.success() {
            watch(&bin, &dir);
            return Server { port, dir, bin };
        }
    }
    panic!(
        "the test PostgreSQL server did not start: {}",
        std::fs::read_to_string(dir.join("log")).unwrap_or_default()
    );
}

/// The superuser's password, in a file initdb reads.
fn write_password(dir: &std::path::Path) -> PathBuf {
    let file = dir.join("pw");
    std::fs::write(&file, PASSWORD).expect("password file");
    let _ = Command::new("chown").arg("postgres").arg(&file).status();
    file
}

const PASSWORD: &str = "studiodesk-test";

/// Stop the server (by its postmaster's pid, through pg_ctl) and remove its folder once this
/// test binary has exited.
// The watcher must outlive this process, so it is never waited for.
#[allow(clippy::zombie_processes)]
fn watch(bin: &std::path::Path, dir: &std::path::Path) {
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
         runuser -u postgres -- {pg_ctl} -D {data} stop -m immediate >/dev/null 2>&1; \
         rm -rf {dir}",
        pid = std::process::id(),
        pg_ctl = bin.join("pg_ctl").display(),
        data = dir.join("data").display(),
        dir = dir.display(),
    );
    Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server's watcher");
}

impl Server {
    /// The URL of `database` for the superuser.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://studiodesk:{PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// The URL of `database` for `user` with `password`.
    pub fn url_as(&self, user: &str, password: &str, database: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// A new, empty database; its URL.
    pub fn fresh_database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("t{}", NEXT.fetch_add(1, Ordering::Relaxed));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// Run `sql` on `database` as the superuser, through psql; its output.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let out = Command::new("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(self.url(database))
            .args(["-c", sql])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The server's programs' folder.
    pub fn bin(&self) -> &std::path::Path {
        &self.bin
    }
}
