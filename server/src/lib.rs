//! Gongkai server: the portal (Leptos SSR with islands on axum), its JSON API,
//! SQLite storage, demo data, and the command-line tool.
// The release build computes the layout of the draw page's (deeply nested) view type here.
#![recursion_limit = "256"]

pub mod assets;
pub mod cli;
pub mod configuration;
pub mod demo;
pub mod error;
pub mod feedback;
pub mod log;
pub mod page_cache;
pub mod publish;
pub mod routes;
pub mod security;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod witness;
