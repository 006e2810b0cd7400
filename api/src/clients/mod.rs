//! Client records (the tenant's CRM): names, phones, companies; linked to conversations.

pub mod storage;
