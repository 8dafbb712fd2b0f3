//! One module per route.

pub mod calendar;
pub mod demo_feedback;
pub mod department;
pub mod departments;
pub mod draw;
pub mod draws;
pub mod enterprise;
pub mod enterprises;
pub mod feedback;
pub mod home;
pub mod inspector;
pub mod inspectors;
pub mod item;
pub mod items;
pub mod log;
pub mod not_found;
pub mod open_data;
pub mod plan;
pub mod plans;
pub mod report;
pub mod reports;
pub mod result;
pub mod results;
pub mod spec;
pub mod tools;
