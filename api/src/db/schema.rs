// Diesel's view of the tables in `migrations/`. Kept by hand alongside the migrations.

diesel::table! {
    tenants (id) {
        id -> Uuid,
        name -> Text,
        default_region -> Text,
        resume_window_days -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    phone_numbers (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        number -> Text,
        messaging_profile_id -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        name -> Text,
        prefix -> Text,
        secret_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(phone_numbers -> tenants (tenant_id));
diesel::joinable!(users -> tenants (tenant_id));
diesel::joinable!(api_keys -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(tenants, phone_numbers, users, api_keys);
