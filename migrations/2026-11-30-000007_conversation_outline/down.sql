ALTER TABLE conversations
    DROP COLUMN delivery_failed,
    DROP COLUMN last_customer_preview,
    DROP COLUMN last_message_author;
