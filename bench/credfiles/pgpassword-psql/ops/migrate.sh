#!/bin/bash
# Apply pending migrations, then refresh the reporting views.
set -euo pipefail
PGPASSWORD=Mg7#rT2qLx9v psql -h pg-primary.internal -U migrator -d ledger -f migrations/pending.sql
PGPASSWORD=$LEDGER_RO_PASSWORD psql -h pg-replica.internal -U reporter -d ledger -c 'REFRESH MATERIALIZED VIEW daily_totals'
PGPASSWORD=postgres123 pg_dump -h localhost -U postgres ledger > /tmp/ledger.sql
