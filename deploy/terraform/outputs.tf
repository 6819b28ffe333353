output "function_name" {
  value = aws_lambda_function.invalidator.function_name
}

output "function_arn" {
  value = aws_lambda_function.invalidator.arn
}

output "queue_url" {
  value = local.eventbridge ? aws_sqs_queue.changes[0].id : null
}

output "role_arn" {
  value = aws_iam_role.function.arn
}
