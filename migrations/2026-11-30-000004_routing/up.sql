-- Instances keep inbound routes (number → tenant) in memory; any change to what routing
-- reads announces itself so that every instance forgets its answers.
CREATE FUNCTION parley_routing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('parley_routing', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER phone_numbers_routing_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON phone_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION parley_routing_changed();

CREATE TRIGGER tenants_routing_changed
    AFTER UPDATE OF resume_window_days OR DELETE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION parley_routing_changed();
