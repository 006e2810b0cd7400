//! The CSV export reads in pages: slow downloads hold no database connection, and the pages
//! join without a gap or a repeat.

use std::collections::HashMap;
use std::time::Duration;

use diesel_async::RunQueryDsl;
use parley_tests::{json_with_status, TestApp};

/// Adds `count` conversations straight to the table, with a company name of `width`
/// characters; many share a creation second, so pages meet inside runs of equal times.
async fn many_conversations(
    app: &TestApp,
    tenant_id: parley::ids::TenantId,
    count: i64,
    width: i64,
) {
    let mut conn = app.state.pool.get().await.unwrap();
    diesel::sql_query(
        "INSERT INTO conversations (id, tenant_id, phone_number, tenant_phone_number, company, created_at, updated_at)
         SELECT gen_random_uuid(), $1, '+1416' || lpad(i::text, 7, '0'), '+14165550100',
                'Co ' || i || ' ' || repeat('x', $3::int), $2 - (i % 7) * interval '1 second', $2
           FROM generate_series(1, $4) AS i",
    )
    .bind::<diesel::sql_types::Uuid, _>(tenant_id)
    .bind::<diesel::sql_types::Timestamptz, _>(app.clock_now())
    .bind::<diesel::sql_types::BigInt, _>(width)
    .bind::<diesel::sql_types::BigInt, _>(count)
    .execute(&mut conn)
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_exports_leave_the_pool_to_everyone_else() {
    let pool_size = 2;
    let app = TestApp::spawn_with(HashMap::from([
        ("PARLEY_DB_POOL_SIZE".to_string(), pool_size.to_string()),
        ("PARLEY_WORKERS".to_string(), "0".to_string()),
    ]))
    .await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    // About 20 MB of CSV per export: far more than the socket buffers between us hold.
    many_conversations(&app, acme.tenant.id, 5000, 4000).await;

    // More exports than the pool has connections, each read a little and then left unread.
    let mut stalled = Vec::new();
    for _ in 0..pool_size + 1 {
        let mut response = app.get("/api/v1/conversations/export.csv", token).await;
        assert_eq!(response.status(), 200);
        let first = tokio::time::timeout(Duration::from_secs(30), response.chunk())
            .await
            .expect("the export starts")
            .unwrap()
            .expect("some bytes");
        assert!(first.starts_with(b"id,phone_number"));
        stalled.push(response);
    }

    // Meanwhile the rest of the API works.
    let page = json_with_status(app.get("/api/v1/conversations?limit=1", token).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    json_with_status(app.get("/api/v1/me", token).await, 200).await;
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_join_in_the_list_order_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let count = 2 * parley::conversations::export::PAGE_ROWS + 37;
    many_conversations(&app, acme.tenant.id, count, 10).await;

    let body = app
        .get("/api/v1/conversations/export.csv", &acme.admin_token)
        .await
        .text()
        .await
        .unwrap();
    let exported: Vec<String> = csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|record| record.unwrap()[0].to_string())
        .collect();

    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let mut conn = app.state.pool.get().await.unwrap();
    let expected: Vec<String> = diesel::sql_query(format!(
        "SELECT id::text AS id FROM conversations WHERE tenant_id = '{}' ORDER BY activity_at DESC, id DESC",
        acme.tenant.id
    ))
    .load::<Id>(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|row| row.id)
    .collect();
    assert_eq!(expected.len() as i64, count);
    assert_eq!(exported, expected);
}
