use parley_tests::{json_with_status, repo_root, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn the_checked_in_openapi_yaml_matches_the_code() {
    let generated = parley::openapi::yaml().expect("yaml");
    let path = repo_root().join("openapi.yaml");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is out of date with the code: run `make openapi` and commit it",
        path.display()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_description_and_the_docs_page_are_served_offline() {
    let app = TestApp::spawn().await;
    let document = json_with_status(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(document["openapi"], "3.1.0");
    for path in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/api-keys",
        "/api/v1/phone-numbers",
    ] {
        assert!(document["paths"][path].is_object(), "{path} is described");
    }
    let page = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // The page's scripts come from us, not from a CDN.
    assert!(!html.contains("https://"), "no external assets: {html}");
    let script = app
        .client
        .get(app.url("/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
}
