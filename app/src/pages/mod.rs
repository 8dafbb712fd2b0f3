//! One module per route.

pub mod draw;
pub mod home;
pub mod not_found;
