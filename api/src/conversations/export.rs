//! CSV export of the conversations a filter selects: read in pages and streamed through a
//! small bounded channel, so memory stays flat whatever the size. Each page takes a pooled
//! connection and gives it back before its rows are written, so a client that reads slowly
//! (or not at all) holds no connection: the pool stays free for everyone else.

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::list::{self, ExportRow, Filters};
use crate::db::DbPool;
use crate::ids::TenantId;

pub const HEADER: [&str; 12] = [
    "id",
    "phone_number",
    "contact_name",
    "company",
    "status",
    "qualification_status",
    "channel",
    "message_count",
    "first_message_at",
    "last_message_at",
    "opted_out",
    "media_count",
];

/// Rows are sent in chunks of about this size.
const CHUNK_BYTES: usize = 32 * 1024;
/// Rows read per page (per short use of a pooled connection).
pub const PAGE_ROWS: i64 = 500;

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a leading tab or
/// carriage return) gets a leading apostrophe, so it is shown as text.
pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn record(row: &ExportRow) -> Vec<String> {
    let c = &row.conversation;
    let time = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    vec![
        c.id.to_string(),
        c.phone_number.clone(),
        c.contact_name.clone().unwrap_or_default(),
        c.company.clone().unwrap_or_default(),
        c.status.to_string(),
        c.qualification_status.to_string(),
        c.channel.to_string(),
        row.message_count.to_string(),
        time(row.first_message_at),
        time(c.last_message_at),
        row.opted_out.to_string(),
        row.media_count.to_string(),
    ]
    .into_iter()
    .map(|cell| neutralize(&cell))
    .collect()
}

/// Why an export stopped; the client sees a broken download.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot finish a CSV line: {0}")]
    Line(#[from] std::io::Error),
    #[error(transparent)]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

fn csv_line(cells: &[String]) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(cells)?;
    writer
        .into_inner()
        .map_err(|error| ExportError::Line(error.into_error()))
}

pub type Chunk = Result<Bytes, std::io::Error>;

/// Starts producing the CSV of the selection as of `snapshot`; the receiver is the response
/// body.
pub fn spawn(
    pool: DbPool,
    tenant_id: TenantId,
    filters: Filters,
    snapshot: DateTime<Utc>,
) -> mpsc::Receiver<Chunk> {
    let (sender, receiver) = mpsc::channel::<Chunk>(4);
    tokio::spawn(async move {
        if let Err(error) = produce(&pool, tenant_id, &filters, snapshot, &sender).await {
            tracing::warn!(%error, "CSV export stopped");
            // The client sees a broken download rather than a silently short file.
            let _ = sender.send(Err(std::io::Error::other(error))).await;
        }
    });
    receiver
}

/// One page of rows; the connection goes back to the pool before the caller writes them.
async fn read_page(
    pool: &DbPool,
    tenant_id: TenantId,
    filters: &Filters,
    after: Option<(DateTime<Utc>, Uuid)>,
    snapshot: DateTime<Utc>,
) -> Result<Vec<ExportRow>, ExportError> {
    let mut conn = pool.get().await?;
    Ok(list::export_page(&mut conn, tenant_id, filters, after, snapshot, PAGE_ROWS).await?)
}

async fn produce(
    pool: &DbPool,
    tenant_id: TenantId,
    filters: &Filters,
    snapshot: DateTime<Utc>,
    sender: &mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    let mut buffer = csv_line(&header)?;
    let mut after = None;
    loop {
        let rows = read_page(pool, tenant_id, filters, after, snapshot).await?;
        for row in &rows {
            buffer.extend(csv_line(&record(row))?);
            if buffer.len() >= CHUNK_BYTES {
                let chunk = Bytes::from(std::mem::take(&mut buffer));
                if sender.send(Ok(chunk)).await.is_err() {
                    return Ok(()); // the client went away
                }
            }
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE_ROWS => {
                after = Some((last.sort_key, last.conversation.id.into()));
            }
            _ => break,
        }
    }
    if !buffer.is_empty() {
        let _ = sender.send(Ok(Bytes::from(buffer))).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralized() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+14165551234"), "'+14165551234");
        assert_eq!(neutralize("-1"), "'-1");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("Sarah"), "Sarah");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        let line = csv_line(&[
            "a,b".into(),
            "say \"hi\"".into(),
            "two\nlines".into(),
            "José".into(),
        ])
        .unwrap();
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",José\r\n"
        );
    }
}
