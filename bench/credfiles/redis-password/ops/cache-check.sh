#!/bin/sh
# Quick health check of the session cache.
redis-cli -h sessions.internal -p 6379 -a redis123 ping
redis-cli -h sessions.internal -a "$REDIS_PASSWORD" info memory
redis-server /etc/redis/sessions.conf --requirepass c4che-Pw7-Qz
