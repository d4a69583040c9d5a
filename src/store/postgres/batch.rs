//! One commit of everything staged: the writes of a batch, one row each
//! (the last, in decision order), as one `INSERT … SELECT FROM unnest(…)`
//! per table in one transaction (see `postgres.rs`).

use std::sync::Mutex;

use deadpool_postgres::Pool;
use uuid::Uuid;

use super::{cluster, PgError, Write};

/// Commits everything staged so far in one transaction; on failure puts
/// it back ahead of newer writes, for the next flush to retry.
pub(super) async fn commit_staged(
    pool: &Pool,
    staged: &Mutex<Vec<Write>>,
    node: Uuid,
) -> Result<(), String> {
    let batch = std::mem::take(&mut *staged.lock().unwrap_or_else(|p| p.into_inner()));
    if batch.is_empty() {
        return Ok(());
    }
    match write_batch(pool, &batch, node).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let mut staged = staged.lock().unwrap_or_else(|p| p.into_inner());
            let newer = std::mem::replace(&mut *staged, batch);
            staged.extend(newer);
            Err(e.to_string())
        }
    }
}

async fn write_batch(pool: &Pool, batch: &[Write], node: Uuid) -> Result<(), PgError> {
    let mut conversations = Columns::default();
    let mut lines = Columns::default();
    let mut unmatched = Vec::new();
    let mut offline = Columns::default();
    for write in batch {
        match write {
            Write::Conversation { id, .. } => conversations.keep_last(*id, 0, write),
            Write::Line {
                conversation, seq, ..
            } => lines.keep_last(*conversation, *seq, write),
            Write::Unmatched { .. } => unmatched.push(write),
            Write::Offline { id, .. } => offline.keep_last(*id, 0, write),
        }
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    upsert_conversations(&tx, conversations.rows()).await?;
    upsert_lines(&tx, lines.rows()).await?;
    insert_unmatched(&tx, &unmatched).await?;
    upsert_offline(&tx, offline.rows()).await?;
    tx.commit().await?;
    // The other nodes hear of it after the commit (never inside it).
    let mut notices = cluster::conversation_notices(
        node,
        conversations.rows().iter().filter_map(|w| match w {
            Write::Conversation { id, status, .. } => Some((*id, status.as_str())),
            _ => None,
        }),
    );
    if !offline.rows().is_empty() {
        notices.push(cluster::offline_notice(node));
    }
    if let Err(e) = cluster::send_notices(&client, &notices).await {
        // Committed all the same; the other nodes catch up on their next
        // read of these conversations, or their next resync.
        tracing::warn!(error = %e, "telling the other nodes of a commit failed");
    }
    Ok(())
}

/// The writes of a batch with one per row: the last, in decision order.
#[derive(Default)]
struct Columns<'a> {
    index: std::collections::HashMap<(Uuid, i64), usize>,
    rows: Vec<&'a Write>,
}

impl<'a> Columns<'a> {
    fn keep_last(&mut self, id: Uuid, seq: i64, write: &'a Write) {
        match self.index.get(&(id, seq)) {
            Some(&at) => self.rows[at] = write,
            None => {
                self.index.insert((id, seq), self.rows.len());
                self.rows.push(write);
            }
        }
    }

    fn rows(&self) -> &[&'a Write] {
        &self.rows
    }
}

async fn upsert_conversations(
    tx: &deadpool_postgres::Transaction<'_>,
    rows: &[&Write],
) -> Result<(), PgError> {
    if rows.is_empty() {
        return Ok(());
    }
    let (mut ids, mut tokens, mut visitors, mut created, mut statuses, mut json) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for row in rows {
        if let Write::Conversation {
            id,
            resume_token,
            visitor,
            created_at,
            status,
            json: j,
        } = row
        {
            ids.push(*id);
            tokens.push(resume_token.as_str());
            visitors.push(*visitor);
            created.push(*created_at);
            statuses.push(status.as_str());
            json.push(j.as_str());
        }
    }
    let statement = tx
        .prepare_cached(
            "INSERT INTO conversations (id, resume_token, visitor, created_at, status, record)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[],
                              $5::text[], $6::text[])
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, record = EXCLUDED.record",
        )
        .await?;
    tx.execute(
        &statement,
        &[&ids, &tokens, &visitors, &created, &statuses, &json],
    )
    .await?;
    Ok(())
}

async fn upsert_lines(
    tx: &deadpool_postgres::Transaction<'_>,
    rows: &[&Write],
) -> Result<(), PgError> {
    if rows.is_empty() {
        return Ok(());
    }
    let (mut ids, mut seqs, mut client_ids, mut json) = (vec![], vec![], vec![], vec![]);
    for row in rows {
        if let Write::Line {
            conversation,
            seq,
            client_id,
            json: j,
        } = row
        {
            ids.push(*conversation);
            seqs.push(*seq);
            client_ids.push(client_id.as_deref());
            json.push(j.as_str());
        }
    }
    let statement = tx
        .prepare_cached(
            "INSERT INTO messages (conversation_id, seq, client_id, line)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[])
         ON CONFLICT (conversation_id, seq)
         DO UPDATE SET client_id = EXCLUDED.client_id, line = EXCLUDED.line",
        )
        .await?;
    tx.execute(&statement, &[&ids, &seqs, &client_ids, &json])
        .await?;
    Ok(())
}

async fn insert_unmatched(
    tx: &deadpool_postgres::Transaction<'_>,
    rows: &[&Write],
) -> Result<(), PgError> {
    if rows.is_empty() {
        return Ok(());
    }
    let (mut at, mut ids, mut json) = (vec![], vec![], vec![]);
    for row in rows {
        if let Write::Unmatched {
            at: t,
            conversation,
            json: j,
        } = row
        {
            at.push(*t);
            ids.push(*conversation);
            json.push(j.as_str());
        }
    }
    let statement = tx
        .prepare_cached(
            "INSERT INTO unmatched (at, conversation_id, record)
         SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::text[])
         ON CONFLICT (at, conversation_id) DO NOTHING",
        )
        .await?;
    tx.execute(&statement, &[&at, &ids, &json]).await?;
    Ok(())
}

async fn upsert_offline(
    tx: &deadpool_postgres::Transaction<'_>,
    rows: &[&Write],
) -> Result<(), PgError> {
    if rows.is_empty() {
        return Ok(());
    }
    let (mut ids, mut at, mut handled, mut json) = (vec![], vec![], vec![], vec![]);
    for row in rows {
        if let Write::Offline {
            id,
            at: t,
            handled: h,
            json: j,
        } = row
        {
            ids.push(*id);
            at.push(*t);
            handled.push(*h);
            json.push(j.as_str());
        }
    }
    let statement = tx
        .prepare_cached(
            "INSERT INTO offline_messages (id, at, handled, record)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::bool[], $4::text[])
         ON CONFLICT (id) DO UPDATE SET handled = EXCLUDED.handled, record = EXCLUDED.record",
        )
        .await?;
    tx.execute(&statement, &[&ids, &at, &handled, &json])
        .await?;
    Ok(())
}
