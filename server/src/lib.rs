//! Gongkai server: the portal (Leptos SSR + hydration on axum), its JSON API,
//! SQLite storage, demo data, and the command-line tool.

pub mod cli;
pub mod configuration;
pub mod demo;
pub mod error;
pub mod routes;
pub mod startup;
pub mod storage;
pub mod telemetry;
