ALTER TABLE messages DROP COLUMN send_slot_at;
DROP TABLE send_pacing;
ALTER TABLE phone_numbers DROP COLUMN messages_per_second, DROP COLUMN number_type;
