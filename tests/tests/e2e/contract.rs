//! Contract fuzzing: schemathesis drives the real server from the OpenAPI document it serves,
//! with every check and every phase (examples, coverage, fuzzing, stateful), signed in as an
//! admin. Any answer the document does not describe (a status, a body, a media type, a 500, a
//! 200 for data the document calls invalid or a 4xx for data it calls valid) fails the test.

use std::path::PathBuf;
use std::time::Instant;

use parley_tests::{repo_root, TestApp};

/// Fixed so that a failure reproduces.
const SEED: &str = "20261130";
/// Examples per operation and phase: enough to cover every documented constraint and status,
/// few enough to finish in a few minutes on two cores.
const MAX_EXAMPLES: &str = "25";

/// Operations that cannot be exercised in isolation:
/// - `connect_feed` (`GET /api/v1/ws`) is a WebSocket upgrade, not a request/response operation;
/// - `receive_telnyx_webhook` (`POST /webhooks/telnyx`) accepts only bodies signed with Telnyx's
///   private key, which a fuzzer cannot produce (its refusals are tested in `telnyx.rs`).
const EXCLUDED_OPERATIONS: &[&str] = &["connect_feed", "receive_telnyx_webhook"];

/// `.ci/schemathesis.sh` installs the pinned schemathesis when missing and prints its path.
fn schemathesis() -> PathBuf {
    let script = repo_root().join(".ci/schemathesis.sh");
    let output = std::process::Command::new(&script)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", script.display()));
    assert!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_keeps_the_contract_of_its_openapi_document() {
    let app = TestApp::spawn().await;
    let tenant = app
        .create_tenant_with_number("Contract", "+14165550100")
        .await;
    let executable = tokio::task::spawn_blocking(schemathesis)
        .await
        .expect("installer");
    let report_dir = tempfile::tempdir().expect("report dir");
    let mut args: Vec<String> = vec![
        "--config-file".into(),
        repo_root()
            .join("tests/schemathesis.toml")
            .display()
            .to_string(),
        "run".into(),
        app.url("/api/openapi.json"),
        "--url".into(),
        app.address.clone(),
        "--checks".into(),
        "all".into(),
        "--phases".into(),
        "examples,coverage,fuzzing,stateful".into(),
        "--header".into(),
        format!("Authorization: Bearer {}", tenant.admin_token),
        "--max-examples".into(),
        MAX_EXAMPLES.into(),
        "--seed".into(),
        SEED.into(),
        "--workers".into(),
        "1".into(),
        // A generation-speed check of Hypothesis, not of the API: drawing 20,000-character
        // prompts that match their pattern is slow on two cores, and that is all it says.
        "--suppress-health-check".into(),
        "too_slow".into(),
        "--report-dir".into(),
        report_dir.path().display().to_string(),
    ];
    for operation in EXCLUDED_OPERATIONS {
        args.push("--exclude-operation-id".into());
        args.push(operation.to_string());
    }
    println!("{} {}", executable.display(), args.join(" "));
    let started = Instant::now();
    let output = tokio::process::Command::new(&executable)
        .args(&args)
        .env("NO_COLOR", "1")
        // How to draw the document's own formats (`phone`, `e164`).
        .env("PYTHONPATH", repo_root().join("tests/contract"))
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .current_dir(report_dir.path())
        .output()
        .await
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", executable.display()));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("schemathesis ran for {:.0?}:\n{report}", started.elapsed());
    assert!(
        output.status.success(),
        "schemathesis found the API and its OpenAPI document disagreeing:\n{report}"
    );
}
