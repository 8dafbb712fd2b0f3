//! Storage behind one trait, so that PostgreSQL can follow SQLite.
//! All SQL lives in the implementations (`sqlite.rs`).

mod sqlite;

pub use app::ssr::DrawSource;
pub use sqlite::SqliteStorage;

/// A draw to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDraw {
    pub id: String,
    /// The drawing department's chain, top-level first, the department itself last.
    pub department_path: Vec<String>,
    pub title: String,
    pub draw_date: String,
    pub commitment: String,
    /// The exact JSON served at `/api/draws/{id}/record.json`.
    pub record_json: String,
    pub committed_at: Option<String>,
    pub published_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database directory {path}: {source}")]
    Directory { path: String, source: std::io::Error },
    #[error("a draw with id {0} is already published")]
    DuplicateDraw(String),
    #[error("a draw needs a department")]
    NoDepartment,
}

/// Everything the portal stores. Reading draws goes through [`DrawSource`].
#[async_trait::async_trait]
pub trait Storage: DrawSource {
    /// Number of published draws.
    async fn draw_count(&self) -> Result<u64, StorageError>;

    /// Publishes a draw (and its department chain). Published draws never change.
    async fn insert_draw(&self, draw: &NewDraw) -> Result<(), StorageError>;

    /// Departments as (id, name, parent_id), by id.
    async fn departments(&self) -> Result<Vec<(i64, String, Option<i64>)>, StorageError>;
}
