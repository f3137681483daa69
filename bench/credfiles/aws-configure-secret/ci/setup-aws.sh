#!/bin/bash
# Configure the AWS CLI profile used by the release job.
set -e
aws configure set region eu-west-1 --profile release
aws configure set aws_access_key_id "$RELEASE_KEY_ID" --profile release
aws configure set aws_secret_access_key GPzEyoL8EsaJd+wyXxQPplH8ACyjkz4jmBQlm7kn --profile release
aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY" --profile ci
aws configure set aws_secret_access_key I4pShZFC8ZrXbeg+fT3pG/h8msMlc/T1ah9sdbEl --profile backup
