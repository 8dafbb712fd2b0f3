//! The integration tests, one binary: the real server on port 0 with a fresh
//! database per test. One binary instead of one per file: linked once, a
//! fraction of the disk and link time (each binary links the whole portal).

mod api;
mod calendar;
mod export;
mod feedback;
mod feedback_demo;
mod feedback_form;
mod feedback_sheet;
mod fuzz;
mod hardening;
mod home;
mod import;
mod load;
mod log;
mod migrate;
mod page_cache;
mod pages;
mod portal;
mod replicas;
mod reports;
mod verify;
mod witness;
