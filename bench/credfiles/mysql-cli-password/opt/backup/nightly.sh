#!/bin/bash
# Nightly logical backup of the shop database.
set -euo pipefail
STAMP=$(date +%Y%m%d)
mysqldump --single-transaction -u backup -pBk7!qZ2mWx9 shop | gzip > /backup/shop-$STAMP.sql.gz
mysqldump --user=backup --password=${BACKUP_DB_PASSWORD} --all-databases | gzip > /backup/all-$STAMP.sql.gz
mysqladmin --user=root --password=Qwerty2024 flush-logs
find /backup -name '*.sql.gz' -mtime +14 -delete
