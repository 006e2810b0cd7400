use diesel_async::RunQueryDsl;
use parley_tests::{json_with_status, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let health = json_with_status(
        app.client.get(app.url("/healthz")).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(health["status"], "ok");
    let ready = json_with_status(
        app.client.get(app.url("/readyz")).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(ready["database"], true);
    assert_eq!(ready["migrations_applied"], true);

    // Forget a migration: the instance is no longer ready.
    let mut conn = app.state.pool.get().await.unwrap();
    diesel::sql_query("DELETE FROM __diesel_schema_migrations")
        .execute(&mut conn)
        .await
        .unwrap();
    let not_ready = json_with_status(
        app.client.get(app.url("/readyz")).send().await.unwrap(),
        503,
    )
    .await;
    assert_eq!(not_ready["database"], true);
    assert_eq!(not_ready["migrations_applied"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_per_route_and_show_the_pool() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    app.get("/api/v1/me", &acme.admin_token).await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines()
            .any(|line| line.starts_with("http_requests_total{")
                && line.contains(r#"route="/api/v1/me""#)
                && line.contains(r#"status="200""#)),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains(r#"db_pool_connections{state="max"} 8"#),
        "{text}"
    );
}
