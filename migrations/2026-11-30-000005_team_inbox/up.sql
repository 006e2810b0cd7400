-- The team inbox: people with names, conversations assigned to one of them, handoffs to a
-- person, each user's own read marker, internal notes, retries of failed sends.

ALTER TABLE users ADD COLUMN name text;
UPDATE users SET name = split_part(email, '@', 1);
ALTER TABLE users ALTER COLUMN name SET NOT NULL;

ALTER TABLE tenants ADD COLUMN auto_assign_on_reply boolean NOT NULL DEFAULT true;

ALTER TABLE conversations
    ADD COLUMN assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN needs_human boolean NOT NULL DEFAULT false,
    ADD COLUMN handoff_reason text;
CREATE INDEX conversations_assignee_idx ON conversations (tenant_id, assignee_id, activity_at DESC, id DESC);
CREATE INDEX conversations_needs_human_idx ON conversations (tenant_id, activity_at DESC, id DESC) WHERE needs_human;

-- The agent's name as it was when the message was written (null for customers and the AI).
ALTER TABLE messages
    ADD COLUMN author_name text,
    ADD COLUMN retry_of uuid REFERENCES messages (id) ON DELETE SET NULL;
UPDATE messages m SET author_name = u.name FROM users u WHERE m.author_user_id = u.id;

-- Each user's read marker: what arrived after it is unread for that user.
CREATE TABLE conversation_reads (
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    read_at timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX messages_inbound_idx ON messages (conversation_id, created_at) WHERE direction = 'inbound';

CREATE TABLE notes (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    author_name text,
    text text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX notes_conversation_idx ON notes (conversation_id, created_at, id);

-- Until now one agent's read counted for everyone: each existing user starts from it.
INSERT INTO conversation_reads (conversation_id, user_id, tenant_id, read_at)
SELECT c.id, u.id, c.tenant_id, c.last_read_at
  FROM conversations c JOIN users u ON u.tenant_id = c.tenant_id
 WHERE c.last_read_at IS NOT NULL;
