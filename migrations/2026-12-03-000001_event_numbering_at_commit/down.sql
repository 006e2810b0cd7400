DROP TRIGGER number_events_at_commit ON pending_events;
DROP FUNCTION number_pending_events();
DROP TABLE pending_events;
