#!/bin/sh
# Give the build agent pull access to the private registries.
mkdir -p ~/.docker
cat > ~/.docker/config.json <<JSON
{
  "auths": {
    "harbor.corp.internal": { "auth": "ZGVwbG95OldlbGNvbWUxIQ==" },
    "docker.example.com": { "auth": "dXNlcjpwYXNzd29yZA==" },
    "ghcr.io": { "auth": "$GHCR_AUTH" }
  }
}
JSON
