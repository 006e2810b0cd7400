//! The `parley` binary: admin commands print one JSON line; bad settings exit non-zero with
//! the variable's name; SIGTERM stops the server gracefully.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use parley_tests::process::binary;
use parley_tests::TestDb;
use serde_json::Value;

fn parley(database_url: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(binary())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run parley");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

fn json_line(stdout: &str) -> Value {
    assert_eq!(stdout.lines().count(), 1, "one JSON line: {stdout}");
    serde_json::from_str(stdout.trim()).expect("JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_commands_print_what_they_create() {
    let db = TestDb::create().await;
    let (code, out, err) = parley(
        &db.url,
        &["tenant", "create", "--name", "Acme", "--region", "CA"],
    );
    assert_eq!(code, 0, "{err}");
    let tenant = json_line(&out);
    assert_eq!(tenant["name"], "Acme");
    assert_eq!(tenant["default_region"], "CA");
    assert_eq!(tenant["resume_window_days"], 30);
    let tenant_id = tenant["id"].as_str().unwrap();

    let (code, out, err) = parley(
        &db.url,
        &[
            "phone-number",
            "add",
            "--tenant",
            tenant_id,
            "--number",
            "+14165550199",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_line(&out)["number"], "+14165550199");

    let (code, out, err) = parley(
        &db.url,
        &[
            "user",
            "create",
            "--tenant",
            tenant_id,
            "--email",
            "boss@acme.example",
            "--password",
            "long password",
            "--name",
            "Bea Boss",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let user = json_line(&out);
    assert_eq!(user["role"], "admin");
    assert_eq!(user["name"], "Bea Boss");
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());

    let (code, out, err) = parley(
        &db.url,
        &["api-key", "create", "--tenant", tenant_id, "--name", "crm"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(json_line(&out)["secret"]
        .as_str()
        .unwrap()
        .starts_with("pk_"));

    // Errors: a message on stderr, nothing on stdout, a non-zero exit.
    let (code, out, err) = parley(
        &db.url,
        &[
            "phone-number",
            "add",
            "--tenant",
            tenant_id,
            "--number",
            "12",
        ],
    );
    assert_ne!(code, 0);
    assert!(out.is_empty() && err.contains("E.164"), "{err}");
    let (code, _, err) = parley(
        &db.url,
        &[
            "user",
            "create",
            "--tenant",
            &uuid::Uuid::new_v4().to_string(),
            "--email",
            "x@y.example",
            "--password",
            "long password",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("no tenant"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_seed_is_idempotent_and_prints_the_login() {
    let db = TestDb::create().await;
    let first = json_line(&parley(&db.url, &["demo", "seed"]).1);
    let second = json_line(&parley(&db.url, &["demo", "seed"]).1);
    assert_eq!(first, second);
    assert!(first["email"].is_string() && first["password"].is_string());
}

#[test]
fn bad_settings_exit_non_zero_naming_the_variable() {
    let (code, _, err) = parley("", &["migrate"]);
    assert_ne!(code, 0);
    assert!(err.contains("DATABASE_URL"), "{err}");
    let (code, _, err) = parley("postgres://postgres@127.0.0.1:5432/postgres", &["serve"]);
    assert_ne!(code, 0);
    assert!(err.contains("PARLEY_JWT_SECRET"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_server_gracefully() {
    let db = TestDb::create().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(binary())
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("PARLEY_JWT_SECRET", parley_tests::JWT_SECRET)
        .env("PARLEY_LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("LOG_FORMAT", "json")
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            if response.status() == 200 {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(25),
            "no exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "graceful exit: {status:?}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    // LOG_FORMAT=json: every log line is a JSON object.
    let lines: Vec<&str> = logs.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for line in lines {
        serde_json::from_str::<Value>(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_inbox_shows_every_feature_at_once() {
    let app = parley_tests::TestApp::spawn().await;
    for _ in 0..2 {
        parley::demo::seed(&app.state.pool, &app.address, chrono::Utc::now())
            .await
            .unwrap();
    }
    let token = app
        .token_for(parley::demo::DEMO_EMAIL, parley::demo::DEMO_PASSWORD)
        .await;
    let page =
        parley_tests::json_with_status(app.get("/api/v1/conversations", &token).await, 200).await;
    let list = page["data"].as_array().unwrap();
    assert_eq!(list.len(), 5, "seeded once: {page}");
    let by_phone = |phone: &str| {
        list.iter()
            .find(|c| c["phone_number"] == phone)
            .cloned()
            .unwrap()
    };
    assert!(
        by_phone("+14165550111")["contact_name"].is_null(),
        "a new lead asked for a name"
    );
    let sarah = by_phone("+14165550122");
    assert_eq!(
        (sarah["identity"].as_str(), sarah["contact_name"].as_str()),
        (Some("verified"), Some("Sarah Lee"))
    );
    assert_eq!(by_phone("+14165550133")["opted_out"], true);
    let failed = app
        .messages(&token, by_phone("+14165550000")["id"].as_str().unwrap())
        .await;
    assert_eq!(failed[0]["status"], "delivery_failed");
    assert_eq!(failed[0]["error"]["code"], "40008");
    let guided = by_phone("+14165550144")["id"].as_str().unwrap().to_string();
    let guide = parley_tests::json_with_status(
        app.get(&format!("/api/v1/conversations/{guided}/guide"), &token)
            .await,
        200,
    )
    .await;
    assert!(guide["text"].as_str().unwrap().contains("corporate plan"));
}
