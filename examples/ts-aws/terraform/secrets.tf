# The secrets in AWS Secrets Manager, named {app}/{env}/{category}/{name},
# with automatic rotation of the database credentials.

resource "aws_secretsmanager_secret" "db" {
  name        = "kb-mcp/prod/db/credentials"
  description = "PostgreSQL credentials of kb-mcp"
  kms_key_id  = aws_kms_key.secrets.arn
}

resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = aws_lambda_function.rotate_db.arn

  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "openai" {
  name = "kb-mcp/prod/api/openai-api-key"
}

resource "aws_secretsmanager_secret" "jwt" {
  name = "kb-mcp/prod/auth/jwt-signing-key"
}
