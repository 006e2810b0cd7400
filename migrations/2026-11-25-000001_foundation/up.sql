-- Tenants, their Telnyx numbers, their people and their API keys.
-- Every tenant-owned table carries tenant_id and its indexes lead with it.

CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    default_region text NOT NULL DEFAULT 'US' CHECK (default_region ~ '^[A-Z]{2}$'),
    resume_window_days integer NOT NULL DEFAULT 30 CHECK (resume_window_days BETWEEN 1 AND 3650),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE phone_numbers (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number text NOT NULL CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
    messaging_profile_id text,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Inbound messages find their tenant by the receiving number, so a number has one owner.
CREATE UNIQUE INDEX phone_numbers_number_key ON phone_numbers (number);
CREATE INDEX phone_numbers_tenant_idx ON phone_numbers (tenant_id, created_at);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'agent')),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Login is by email alone, so an email belongs to one user across tenants.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_tenant_idx ON users (tenant_id, created_at);

CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix text NOT NULL,
    -- SHA-256 of the secret: the secret itself is shown once and never stored.
    secret_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'agent')),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE UNIQUE INDEX api_keys_secret_hash_key ON api_keys (secret_hash);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at);
