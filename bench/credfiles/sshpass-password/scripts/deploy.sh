#!/bin/bash
# Push the build to the legacy hosts that still take password logins.
set -e
BUILD=build/app-$(git rev-parse --short HEAD).tgz
sshpass -p 'kT9#vmQ2xL' scp "$BUILD" deploy@legacy-01.corp.internal:/srv/app/
sshpass -p Password1 ssh deploy@legacy-02.corp.internal 'systemctl restart app'
sshpass -p "$DEPLOY_PASS" ssh deploy@legacy-03.corp.internal 'systemctl restart app'
sshpass -e rsync -az "$BUILD" deploy@legacy-04.corp.internal:/srv/app/
sshpass -f ~/.ssh/legacy.pass ssh deploy@legacy-05.corp.internal uptime
