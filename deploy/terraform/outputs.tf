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

output "dead_letter_queue_url" {
  description = "What could not be invalidated (every wiring but codepipeline); an alarm fires when it holds a message."
  value       = local.dead_letters ? aws_sqs_queue.dead_letters[0].id : null
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.function.name
}

output "coalesce_table_name" {
  description = "The DynamoDB table of coalescing's windows (COALESCE_TABLE); null without coalescing."
  value       = local.coalesce ? aws_dynamodb_table.coalesce[0].name : null
}
