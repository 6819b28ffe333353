output "role_arn" {
  description = "The roleArn of the function's DISTRIBUTION_MAP entries (or DISCOVERY_ROLE_ARNS), and its assume_role_arns."
  value       = aws_iam_role.invalidation.arn
}
