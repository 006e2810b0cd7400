// Diesel's view of the tables in `migrations/`. Kept by hand alongside the migrations.

diesel::table! {
    tenants (id) {
        id -> Uuid,
        name -> Text,
        default_region -> Text,
        resume_window_days -> Int4,
        created_at -> Timestamptz,
        ai_idle_resume_minutes -> Int4,
        auto_assign_on_reply -> Bool,
        time_zone -> Text,
        business_hours -> Jsonb,
        away_message -> Nullable<Text>,
        ai_answers_after_hours -> Bool,
        quiet_hours_start -> Nullable<Time>,
        quiet_hours_end -> Nullable<Time>,
        help_message -> Nullable<Text>,
        keyword_replies -> Text,
    }
}

diesel::table! {
    phone_numbers (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        number -> Text,
        messaging_profile_id -> Nullable<Text>,
        created_at -> Timestamptz,
        number_type -> Text,
        messages_per_second -> Nullable<Float8>,
    }
}

diesel::table! {
    send_pacing (key) {
        key -> Text,
        next_at -> Timestamptz,
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
        name -> Text,
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

diesel::table! {
    clients (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        phone_number -> Nullable<Text>,
        company -> Nullable<Text>,
        email -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    assistants (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        name -> Text,
        system_prompt -> Text,
        model -> Nullable<Text>,
        temperature -> Float4,
        channel -> Text,
        is_default -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        max_segments -> Int4,
    }
}

diesel::table! {
    conversations (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        phone_number -> Text,
        tenant_phone_number -> Text,
        contact_name -> Nullable<Text>,
        company -> Nullable<Text>,
        client_id -> Nullable<Uuid>,
        assistant_id -> Nullable<Uuid>,
        status -> Text,
        qualification_status -> Text,
        channel -> Text,
        ai_enabled -> Bool,
        identity -> Text,
        last_message_at -> Nullable<Timestamptz>,
        last_message_preview -> Nullable<Text>,
        last_read_at -> Nullable<Timestamptz>,
        unread_count -> Int4,
        previous_conversation_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        ai_paused_until -> Nullable<Timestamptz>,
        ai_error -> Nullable<Text>,
        ai_error_at -> Nullable<Timestamptz>,
        name_requests -> Int4,
        assignee_id -> Nullable<Uuid>,
        needs_human -> Bool,
        handoff_reason -> Nullable<Text>,
        last_message_author -> Nullable<Text>,
        last_customer_preview -> Nullable<Text>,
        delivery_failed -> Bool,
        away_sent_for -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    conversation_guides (conversation_id) {
        conversation_id -> Uuid,
        tenant_id -> Uuid,
        text -> Text,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    messages (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        conversation_id -> Uuid,
        direction -> Text,
        author -> Text,
        author_user_id -> Nullable<Uuid>,
        text -> Text,
        encoding -> Text,
        segments -> Int4,
        status -> Text,
        error_code -> Nullable<Text>,
        error_title -> Nullable<Text>,
        error_detail -> Nullable<Text>,
        telnyx_message_id -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
        ai_provider -> Nullable<Text>,
        send_started_at -> Nullable<Timestamptz>,
        send_slot_at -> Nullable<Timestamptz>,
        author_name -> Nullable<Text>,
        retry_of -> Nullable<Uuid>,
        message_type -> Text,
        scheduled_at -> Nullable<Timestamptz>,
        held_until -> Nullable<Timestamptz>,
        quiet_hours_apply -> Bool,
        compliance_reply -> Bool,
    }
}

diesel::table! {
    opt_outs (tenant_id, phone_number) {
        tenant_id -> Uuid,
        phone_number -> Text,
        keyword -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Int8,
        tenant_id -> Nullable<Uuid>,
        kind -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        tenant_id -> Nullable<Uuid>,
        event_id -> Nullable<Text>,
        event_type -> Nullable<Text>,
        telnyx_message_id -> Nullable<Text>,
        signature_ok -> Bool,
        outcome -> Text,
        error -> Nullable<Text>,
        attempt -> Nullable<Int4>,
        body -> Nullable<Text>,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    processed_webhook_events (event_id) {
        event_id -> Text,
        processed_at -> Timestamptz,
    }
}

diesel::table! {
    events (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Int8,
        #[sql_name = "type"]
        event_type -> Text,
        data -> Jsonb,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    interactions (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        client_id -> Nullable<Uuid>,
        phone_number -> Nullable<Text>,
        channel -> Text,
        summary -> Text,
        occurred_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(conversation_guides -> conversations (conversation_id));

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    phone_numbers,
    users,
    api_keys,
    conversations,
    messages,
    clients,
    assistants,
    conversation_guides,
    opt_outs,
    interactions,
    conversation_reads,
    notes,
);

diesel::table! {
    ai_generations (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        conversation_id -> Nullable<Uuid>,
        message_id -> Nullable<Uuid>,
        assistant_id -> Nullable<Uuid>,
        purpose -> Text,
        provider -> Text,
        model -> Text,
        prompt_tokens -> Nullable<Int4>,
        completion_tokens -> Nullable<Int4>,
        latency_ms -> Int4,
        outcome -> Text,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    login_attempts (scope, key) {
        scope -> Text,
        key -> Text,
        window_start -> Timestamptz,
        attempts -> Int4,
    }
}

diesel::table! {
    conversation_reads (conversation_id, user_id) {
        conversation_id -> Uuid,
        user_id -> Uuid,
        tenant_id -> Uuid,
        read_at -> Timestamptz,
    }
}

diesel::table! {
    notes (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        conversation_id -> Uuid,
        author_user_id -> Nullable<Uuid>,
        author_name -> Nullable<Text>,
        text -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    canned_replies (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        shortcut -> Text,
        title -> Text,
        text -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(canned_replies -> tenants (tenant_id));
diesel::allow_tables_to_appear_in_same_query!(canned_replies, tenants);

diesel::table! {
    media (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        status -> Text,
        content_type -> Text,
        size -> Int8,
        sha256 -> Nullable<Text>,
        source_url -> Nullable<Text>,
        declared_sha256 -> Nullable<Text>,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    message_media (message_id, position) {
        message_id -> Uuid,
        position -> Int4,
        media_id -> Uuid,
    }
}

diesel::joinable!(message_media -> media (media_id));
diesel::joinable!(message_media -> messages (message_id));
diesel::allow_tables_to_appear_in_same_query!(media, message_media, messages);
