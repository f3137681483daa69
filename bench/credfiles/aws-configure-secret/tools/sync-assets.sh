#!/bin/sh
# Mirror the assets bucket with rclone (S3 provider, credentials on the command line).
rclone sync ./public :s3:acme-assets --s3-provider AWS --s3-region eu-west-1 \
  --s3-access-key-id "$ASSETS_KEY_ID" --s3-secret-access-key 7oX8nrEHAluvtdgDW1/In81LJK6yc/jecsblnAk2
rclone sync ./public :s3:acme-assets-dr --s3-provider AWS --s3-secret-access-key "${DR_SECRET_KEY}"
s3cmd --access_key="$ASSETS_KEY_ID" --secret_key=vnXK6/Zy2GKlPOyJV9YZGWNkJnsrUgBhcpqIuRhW ls s3://acme-assets
