//! Reading published records (the pages and the JSON API).

use app::ssr::{DrawSource, SourceError};
use app::types::{DrawSummary, StoredCommitment, StoredDraw};

use super::SqliteStorage;

/// Columns of a [`DrawSummary`] from `draws d JOIN departments dep`.
const DRAWN_COLUMNS: &str = "d.id, dep.name AS department, d.title, d.draw_date, d.commitment, \
     d.committed_at, d.published_at, json_extract(d.record_json, '$.randomness.source') AS randomness_source, \
     'drawn' AS status";

/// Columns of a [`DrawSummary`] from `draw_commitments c JOIN departments dep`.
const AWAITING_COLUMNS: &str = "c.draw_id AS id, dep.name AS department, c.title, c.draw_date, c.commitment, \
     c.committed_at, NULL AS published_at, \
     json_extract(c.input_json, '$.randomness_source.source') AS randomness_source, \
     'awaiting_randomness' AS status";

#[async_trait::async_trait]
impl DrawSource for SqliteStorage {
    async fn list_draws(&self) -> Result<Vec<DrawSummary>, SourceError> {
        let sql = format!(
            "SELECT * FROM ( \
               SELECT {DRAWN_COLUMNS} FROM draws d JOIN departments dep ON dep.id = d.department_id \
               UNION ALL \
               SELECT {AWAITING_COLUMNS} FROM draw_commitments c JOIN departments dep ON dep.id = c.department_id \
               WHERE NOT EXISTS (SELECT 1 FROM draws d WHERE d.id = c.draw_id) \
             ) ORDER BY draw_date DESC, id"
        );
        Ok(sqlx::query_as::<_, DrawSummary>(&sql).fetch_all(&self.pool).await?)
    }

    async fn find_draw(&self, id: &str) -> Result<Option<StoredDraw>, SourceError> {
        let sql = format!(
            "SELECT {DRAWN_COLUMNS}, d.record_json FROM draws d \
             JOIN departments dep ON dep.id = d.department_id WHERE d.id = ?"
        );
        Ok(sqlx::query_as::<_, StoredDraw>(&sql).bind(id).fetch_optional(&self.pool).await?)
    }

    async fn find_draw_view(&self, id: &str) -> Result<Option<String>, SourceError> {
        let view: Option<Option<String>> =
            sqlx::query_scalar("SELECT view_json FROM draws WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        Ok(view.flatten())
    }

    async fn find_commitment(&self, id: &str) -> Result<Option<StoredCommitment>, SourceError> {
        let sql = format!(
            "SELECT {AWAITING_COLUMNS}, c.input_json FROM draw_commitments c \
             JOIN departments dep ON dep.id = c.department_id WHERE c.draw_id = ?"
        );
        Ok(sqlx::query_as::<_, StoredCommitment>(&sql).bind(id).fetch_optional(&self.pool).await?)
    }
}
