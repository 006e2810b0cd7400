//! The tenant's settings in the SPA: read once per visit by the signed-in shell, kept current
//! by the feed (`settings.updated`), and shared by the Settings page and every place that
//! shows or reads a time in the tenant's zone (Send later, scheduled messages).

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::wire::{FeedPayload, Settings};

use crate::api::Api;
use crate::feed::FeedMessage;

/// The settings, provided as context by the signed-in shell.
#[derive(Clone, Copy)]
pub struct TenantSettings {
    /// `None` until the first answer.
    pub settings: RwSignal<Option<Settings>>,
    /// Why the last load failed, until one succeeds.
    pub error: RwSignal<Option<String>>,
    /// Which load is the latest: an older answer arriving late is dropped.
    generation: StoredValue<u64>,
    api: Api,
}

impl TenantSettings {
    pub fn new() -> Self {
        TenantSettings {
            settings: RwSignal::new(None),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
            api: Api::new(),
        }
    }

    /// The shell's store.
    pub fn get() -> Self {
        expect_context::<TenantSettings>()
    }

    /// Reads the settings (again).
    pub fn reload(&self) {
        let this = *self;
        let seq = this.generation.get_value() + 1;
        this.generation.set_value(seq);
        spawn_local(async move {
            let answer = this.api.settings().await;
            if this.generation.try_get_value() != Some(seq) {
                return;
            }
            match answer {
                Ok(settings) => {
                    this.settings.try_set(Some(settings));
                    this.error.try_set(None);
                }
                Err(failure) => {
                    this.error.try_set(Some(failure.message()));
                }
            }
        });
    }

    /// Shows settings the server just answered (a save).
    pub fn saved(&self, settings: Settings) {
        // A load under way would answer what was there before the save.
        self.generation.update_value(|seq| *seq += 1);
        self.settings.set(Some(settings));
    }

    /// Follows an admin's changes from the feed.
    pub fn follow(&self, message: &FeedMessage) {
        match message {
            FeedMessage::Event(FeedPayload::SettingsUpdated(settings)) => {
                self.saved(settings.clone())
            }
            FeedMessage::Resync => self.reload(),
            FeedMessage::Event(_) => {}
        }
    }

    /// The tenant's zone (tracked); while the settings load, the browser's.
    pub fn time_zone(&self) -> String {
        self.settings
            .with(|settings| settings.as_ref().map(|s| s.time_zone.clone()))
            .or_else(crate::zones::browser_zone)
            .unwrap_or_else(|| "UTC".to_string())
    }

    /// [`Self::time_zone`] without tracking.
    pub fn time_zone_untracked(&self) -> String {
        self.settings
            .with_untracked(|settings| settings.as_ref().map(|s| s.time_zone.clone()))
            .or_else(crate::zones::browser_zone)
            .unwrap_or_else(|| "UTC".to_string())
    }
}
