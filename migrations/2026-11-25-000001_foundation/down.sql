DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE phone_numbers;
DROP TABLE tenants;
