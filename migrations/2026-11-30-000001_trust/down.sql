ALTER TABLE assistants DROP COLUMN max_segments;
ALTER TABLE messages DROP COLUMN send_started_at;
