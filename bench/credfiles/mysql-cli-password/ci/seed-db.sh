#!/bin/sh
# Load fixtures into the review database.
mysql -h review-db.internal -u seed -p"$SEED_PASSWORD" review < fixtures.sql
mysql -h review-db.internal -u seed -phunter22 review -e 'SELECT COUNT(*) FROM orders'
mariadb -h 10.20.0.15 -u report --password=rEp0rt-Ro-8841 analytics < views.sql
mysql -u root -p review
