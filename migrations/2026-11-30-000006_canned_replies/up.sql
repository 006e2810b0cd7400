-- Canned replies: a tenant's saved answers, which agents find by their shortcut.
-- The text is a template (`{{contact.first_name|there}}`, see api/src/templates.rs), checked by
-- the service; the database keeps the limits.
CREATE TABLE canned_replies (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Stored as given; unique per tenant regardless of case.
    shortcut text NOT NULL CHECK (shortcut ~ '^[A-Za-z0-9_-]{1,32}$'),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1600),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Shortcuts are ASCII, so lower() is the same in every locale; the "C" collation makes the
-- index serve the list's order (by shortcut, bytewise) and its cursor.
CREATE UNIQUE INDEX canned_replies_shortcut_key
    ON canned_replies (tenant_id, (lower(shortcut)) COLLATE "C");
