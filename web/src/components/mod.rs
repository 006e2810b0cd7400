//! Pieces shared by several pages.

pub mod assignee;
pub mod canned;
pub mod chart;
pub mod composer;
pub mod disclosure;
pub mod form;
pub mod guide_dialog;
pub mod modal;
pub mod send_later;
pub mod settings;
pub mod shell;
pub mod simulate_dialog;
pub mod start_dialog;
pub mod status;
