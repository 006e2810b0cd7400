DROP INDEX processed_webhook_events_processed_idx;
DROP INDEX ai_generations_created_idx;
DROP INDEX jobs_finished_idx;
UPDATE webhook_deliveries SET body = '' WHERE body IS NULL;
ALTER TABLE webhook_deliveries ALTER COLUMN body SET NOT NULL;
DROP TABLE login_attempts;
