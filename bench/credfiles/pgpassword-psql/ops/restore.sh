#!/bin/sh
# Restore last night's dump into the staging cluster.
export PGPASSWORD=St4g!ng-Rst-8q
pg_restore -h pg-staging.internal -U restore -d ledger --clean /backup/ledger.dump
export PGPASSWORD="${STAGING_PGPASSWORD}"
