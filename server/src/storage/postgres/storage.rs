//! `Storage` for PostgreSQL: each method is the backend's persistence (in
//! `write.rs`, `publishing`'s implementations and `log.rs`) behind the
//! decisions shared with SQLite.

use super::PgStorage;
use crate::publish::{VerifiedCommitment, VerifiedDraw};
use crate::storage::{
    Batch, FeedbackCodeDue, FeedbackExportRow, FeedbackTarget, ImportSummary, IssuedFeedbackCode, LogAudit,
    LogCosignature, NewDeclaredReport, NewFeedback, Storage, StorageError,
};

#[async_trait::async_trait]
impl Storage for PgStorage {
    async fn draw_count(&self) -> Result<u64, StorageError> {
        self.count_draws().await
    }

    async fn insert_draw(&self, draw: &VerifiedDraw) -> Result<(), StorageError> {
        self.store_draw(draw).await
    }

    async fn import(&self, batch: &Batch) -> Result<ImportSummary, StorageError> {
        self.store_batch(batch).await
    }

    async fn insert_commitment(&self, commitment: &VerifiedCommitment) -> Result<(), StorageError> {
        self.store_commitment(commitment).await
    }

    async fn departments(&self) -> Result<Vec<(i64, String, Option<i64>)>, StorageError> {
        self.list_department_rows().await
    }

    async fn insert_calendar_year(
        &self,
        year: &crate::publish::VerifiedCalendarYear,
        published_at: &str,
        correction_reason: Option<&str>,
    ) -> Result<u32, StorageError> {
        self.store_calendar_year(year, published_at, correction_reason).await
    }

    async fn results_without_feedback_code(
        &self,
        department: &str,
        year: i32,
    ) -> Result<Vec<FeedbackCodeDue>, StorageError> {
        self.results_due_codes(department, year).await
    }

    async fn insert_feedback_codes(&self, codes: &[IssuedFeedbackCode], issued_at: &str) -> Result<(), StorageError> {
        self.store_feedback_codes(codes, issued_at).await
    }

    async fn feedback_target(&self, code_hmac: &str) -> Result<Option<FeedbackTarget>, StorageError> {
        self.find_feedback_target(code_hmac).await
    }

    async fn insert_feedback(&self, feedback: &NewFeedback) -> Result<(), StorageError> {
        self.store_feedback(feedback).await
    }

    async fn feedback_export(&self, department: &str) -> Result<Vec<FeedbackExportRow>, StorageError> {
        self.export_feedback(department).await
    }

    async fn insert_demo_feedback_codes(&self, codes: &[(String, String)]) -> Result<(), StorageError> {
        self.store_demo_feedback_codes(codes).await
    }

    async fn insert_declared_reports(&self, reports: &[NewDeclaredReport]) -> Result<(), StorageError> {
        self.store_declared_reports(reports).await
    }

    async fn log_size(&self) -> Result<u64, StorageError> {
        PgStorage::log_size(self).await
    }

    async fn log_head(&self) -> Result<(u64, tlog_tiles::Hash), StorageError> {
        PgStorage::log_head(self).await
    }

    async fn log_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, StorageError> {
        PgStorage::log_hashes(self, indexes).await
    }

    async fn log_tile(&self, level: u8, n: u64) -> Result<Option<Vec<u8>>, StorageError> {
        PgStorage::log_tile(self, level, n).await
    }

    async fn log_entries(&self, range: std::ops::Range<u64>) -> Result<Vec<Vec<u8>>, StorageError> {
        PgStorage::log_entries(self, range).await
    }

    async fn log_row(&self, kind: crate::log::Kind, row: i64) -> Result<Option<Vec<u8>>, StorageError> {
        self.read_log_row(kind, row).await
    }

    async fn log_audit(&self) -> Result<LogAudit, StorageError> {
        PgStorage::log_audit(self).await
    }

    async fn log_backfill(&self) -> Result<u64, StorageError> {
        PgStorage::log_backfill(self).await
    }

    async fn log_consistency(&self, old: u64, size: u64) -> Result<Vec<tlog_tiles::Hash>, StorageError> {
        PgStorage::log_consistency(self, old, size).await
    }

    async fn generation(&self) -> Result<Vec<i64>, StorageError> {
        PgStorage::generation(self).await
    }

    async fn log_root(&self, size: u64) -> Result<Option<tlog_tiles::Hash>, StorageError> {
        PgStorage::log_root(self, size).await
    }

    async fn log_add_cosignature(&self, c: &LogCosignature) -> Result<(), StorageError> {
        PgStorage::log_add_cosignature(self, c).await
    }

    async fn log_cosignatures(&self, size: u64) -> Result<Vec<LogCosignature>, StorageError> {
        PgStorage::log_cosignatures(self, size).await
    }

    async fn log_witness_size(&self, witness: &str) -> Result<Option<u64>, StorageError> {
        PgStorage::log_witness_size(self, witness).await
    }
}
