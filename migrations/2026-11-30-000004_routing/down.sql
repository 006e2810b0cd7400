DROP TRIGGER tenants_routing_changed ON tenants;
DROP TRIGGER phone_numbers_routing_changed ON phone_numbers;
DROP FUNCTION parley_routing_changed();
