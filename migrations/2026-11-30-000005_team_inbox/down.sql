DROP TABLE notes;
DROP INDEX messages_inbound_idx;
DROP TABLE conversation_reads;
ALTER TABLE messages DROP COLUMN retry_of, DROP COLUMN author_name;
DROP INDEX conversations_needs_human_idx;
DROP INDEX conversations_assignee_idx;
ALTER TABLE conversations DROP COLUMN handoff_reason, DROP COLUMN needs_human, DROP COLUMN assignee_id;
ALTER TABLE tenants DROP COLUMN auto_assign_on_reply;
ALTER TABLE users DROP COLUMN name;
