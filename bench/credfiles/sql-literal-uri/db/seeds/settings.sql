-- Connection settings for the replication and export jobs.
INSERT INTO settings (name, value) VALUES
  ('replica_dsn', 'postgresql://replicator:Rp9xQ2wLm7@10.1.2.3:5432/app'),
  ('export_dsn', 'mysql://exporter:Ex7!pZ3qWv@export-db.internal:3306/exports'),
  ('cache_url', 'redis://:R3d1s-Kq8mVx@cache.internal:6379/2'),
  ('docs_example', 'postgresql://user:password@localhost:5432/db'),
  ('template_dsn', 'postgresql://replicator:${REPLICA_PASSWORD}@10.1.2.3:5432/app');
