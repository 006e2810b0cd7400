-- What the inbox list shows of a conversation without opening it: who wrote the last line,
-- the customer's own last line (the question an AI or agent line would otherwise hide), and
-- whether the latest message the business sent failed (a Retry or a new message clears it).

ALTER TABLE conversations
    ADD COLUMN last_message_author text,
    ADD COLUMN last_customer_preview text,
    ADD COLUMN delivery_failed boolean NOT NULL DEFAULT false;

UPDATE conversations c SET last_message_author = m.author
FROM (SELECT DISTINCT ON (conversation_id) conversation_id, author
      FROM messages ORDER BY conversation_id, created_at DESC, id DESC) m
WHERE m.conversation_id = c.id;

UPDATE conversations c SET last_customer_preview = left(regexp_replace(m.text, '\s+', ' ', 'g'), 140)
FROM (SELECT DISTINCT ON (conversation_id) conversation_id, text
      FROM messages WHERE direction = 'inbound' ORDER BY conversation_id, created_at DESC, id DESC) m
WHERE m.conversation_id = c.id;

UPDATE conversations c SET delivery_failed = true
FROM (SELECT DISTINCT ON (conversation_id) conversation_id, status
      FROM messages WHERE direction = 'outbound' ORDER BY conversation_id, created_at DESC, id DESC) m
WHERE m.conversation_id = c.id AND m.status IN ('sending_failed', 'delivery_failed');
