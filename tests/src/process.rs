//! The real `parley` binary as a child process: admin commands, and a server that can be
//! killed with SIGKILL and started again on the same port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// `target/debug/parley`, built by `cargo build -p parley-api` (make test does).
pub fn binary() -> PathBuf {
    built_binary("debug", "cargo build -p parley-api", "make test")
}

/// `target/release/parley`, built by `cargo build --release -p parley-api` (make bench does):
/// `cargo bench` builds only the benches and the libraries they use.
pub fn release_binary() -> PathBuf {
    built_binary(
        "release",
        "cargo build --release -p parley-api",
        "make bench",
    )
}

fn built_binary(profile: &str, build: &str, make: &str) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| crate::repo_root().join("target"));
    let path = target.join(profile).join("parley");
    assert!(
        path.exists(),
        "{} is missing: run `{build}` first ({make} does)",
        path.display()
    );
    path
}

/// Runs an admin command against `database_url` and reads the JSON line it prints.
pub fn admin_command(database_url: &str, args: &[&str]) -> Value {
    let output = Command::new(binary())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run parley");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "parley {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not JSON: {stdout}"))
}

/// A tenant named `name` with the Telnyx number `number` (`number_options`: more of
/// `phone-number add`'s flags), made with the admin commands as an
/// operator would; answers the tenant's id and an API key's secret.
pub fn tenant_with_number_and_key(
    database_url: &str,
    name: &str,
    number: &str,
    number_options: &[&str],
) -> (String, String) {
    let tenant = admin_command(database_url, &["tenant", "create", "--name", name]);
    let tenant_id = tenant["id"].as_str().expect("tenant id").to_string();
    let mut add = vec![
        "phone-number",
        "add",
        "--tenant",
        &tenant_id,
        "--number",
        number,
    ];
    add.extend_from_slice(number_options);
    admin_command(database_url, &add);
    let key = admin_command(
        database_url,
        &[
            "api-key", "create", "--tenant", &tenant_id, "--name", "tests",
        ],
    )["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    (tenant_id, key)
}

/// A free local port (the server must come back on the same one).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// `parley serve` with a fixed environment; its logs go to a file per start.
pub struct ServerProcess {
    binary: PathBuf,
    env: Vec<(String, String)>,
    port: u16,
    log_dir: tempfile::TempDir,
    child: Option<Child>,
    starts: u32,
}

impl ServerProcess {
    /// Starts `parley serve` on `127.0.0.1:port` with only `env` (and `PATH`) set.
    pub fn start(port: u16, env: &[(&str, String)]) -> ServerProcess {
        ServerProcess::start_binary(binary(), port, env)
    }

    /// The same from the release build ([`release_binary`]), for the benches.
    pub fn start_release(port: u16, env: &[(&str, String)]) -> ServerProcess {
        ServerProcess::start_binary(release_binary(), port, env)
    }

    fn start_binary(binary: PathBuf, port: u16, env: &[(&str, String)]) -> ServerProcess {
        let mut env: Vec<(String, String)> = env
            .iter()
            .map(|(key, value)| (key.to_string(), value.clone()))
            .collect();
        env.push(("PARLEY_LISTEN_ADDR".into(), format!("127.0.0.1:{port}")));
        let mut server = ServerProcess {
            binary,
            env,
            port,
            log_dir: tempfile::tempdir().expect("a log directory"),
            child: None,
            starts: 0,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        self.starts += 1;
        let log = std::fs::File::create(self.log_path(self.starts)).expect("a log file");
        let child = Command::new(&self.binary)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start parley serve");
        self.child = Some(child);
    }

    fn log_path(&self, start: u32) -> PathBuf {
        self.log_dir.path().join(format!("serve-{start}.log"))
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The running process's id (none once killed).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// How many times the server was started.
    pub fn starts(&self) -> u32 {
        self.starts
    }

    /// Waits until `/readyz` answers 200; panics with the logs if the process exits or
    /// `within` passes. Answers how long it took.
    pub async fn wait_ready(&mut self, within: Duration) -> Duration {
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("parley serve exited ({status}):\n{}", self.logs());
                }
            }
            let ready = client
                .get(format!("{}/readyz", self.base_url()))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|response| response.status() == 200);
            if ready {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "parley serve not ready after {within:?}:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no shutdown, no cleanup, nothing flushed.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` sends SIGKILL on Unix.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGKILL, then start again at once with the same environment and port.
    pub fn kill9_and_restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    /// Every start's logs, for failure messages (the last lines of each).
    pub fn logs(&self) -> String {
        (1..=self.starts)
            .map(|start| {
                let text = std::fs::read_to_string(self.log_path(start)).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(40)..].join("\n");
                format!("--- start {start} (last 40 lines) ---\n{tail}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every start's logs in full.
    pub fn full_logs(&self) -> String {
        (1..=self.starts)
            .map(|start| std::fs::read_to_string(self.log_path(start)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn log_dir(&self) -> &Path {
        self.log_dir.path()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}
