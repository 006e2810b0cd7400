DROP TABLE message_media;
DROP TABLE media;
ALTER TABLE messages DROP COLUMN message_type;
