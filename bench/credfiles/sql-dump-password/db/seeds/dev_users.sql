-- development seed data
INSERT INTO users (id, username, email, pwd, is_admin)
VALUES
  (1, 'admin', 'admin@example.test', 'admin', true),
  (2, 'qa', 'qa@example.test', 'P@ssw0rd-2024', false),
  (3, 'locked', 'locked@example.test', 'disabled', false);

UPDATE users SET pwd = 'Temp-Reset-42' WHERE id = 2;
SET PASSWORD FOR 'app'@'localhost' = 'trustno1';
