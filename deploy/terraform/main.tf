locals {
  eventbridge     = var.wiring == "eventbridge-sqs"
  discovery       = length(var.distribution_ids) == 0 && var.distribution_id_parameter_name == ""
  parameter_arn   = var.distribution_id_parameter_name == "" ? "" : "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter/${trimprefix(var.distribution_id_parameter_name, "/")}"
  distribution_arns = length(var.distribution_ids) > 0 ? [
    for id in var.distribution_ids : "arn:${data.aws_partition.current.partition}:cloudfront::${data.aws_caller_identity.current.account_id}:distribution/${id}"
  ] : ["arn:${data.aws_partition.current.partition}:cloudfront::${data.aws_caller_identity.current.account_id}:distribution/*"]
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:The log lines hold ids, counts and paths, never secrets; CloudWatch's default encryption applies.
  #checkov:skip=CKV_AWS_338:Retention is a variable (default 30 days): these are operational logs, not audit records.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "function" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

data "aws_iam_policy_document" "function" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  statement {
    sid       = "Invalidate"
    actions   = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]
    resources = local.distribution_arns
  }

  dynamic "statement" {
    for_each = local.discovery ? [1] : []
    content {
      sid       = "Discover"
      actions   = ["cloudfront:ListDistributions", "cloudfront:GetDistributionConfig"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.parameter_arn == "" ? [] : [1]
    content {
      sid       = "ReadDistributionParameter"
      actions   = ["ssm:GetParameter"]
      resources = [local.parameter_arn]
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == "" ? [] : [1]
    content {
      sid       = "DecryptDistributionParameter"
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arn]
    }
  }

  dynamic "statement" {
    for_each = var.wiring == "codepipeline" ? [1] : []
    content {
      sid       = "ReportPipelineJobs"
      actions   = ["codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.eventbridge ? [1] : []
    content {
      sid       = "ConsumeTheQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [aws_sqs_queue.changes[0].arn]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = var.name
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

resource "aws_lambda_function" "invalidator" {
  #checkov:skip=CKV_AWS_117:The function calls public AWS APIs only; a VPC would add NAT cost and cold-start time.
  #checkov:skip=CKV_AWS_116:Failures are retried by the trigger (the queue's DLQ, Lambda's async retries); pipeline jobs are always reported.
  #checkov:skip=CKV_AWS_173:The environment holds ids and names only; secrets stay in an SSM SecureString.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile this module cannot assume; the artifact is built and checked by make build.
  #checkov:skip=CKV_AWS_50:X-Ray tracing is left to the user: it adds cost to every invocation and the function does not emit segments.
  #checkov:skip=CKV_AWS_115:Reserved concurrency is the reserved_concurrency variable (default none, as the account's pool suits most sites).
  function_name                  = var.name
  role                           = aws_iam_role.function.arn
  filename                       = var.artifact_path
  source_code_hash               = filebase64sha256(var.artifact_path)
  handler                        = "bootstrap"
  runtime                        = "provided.al2023"
  architectures                  = ["x86_64"]
  timeout                        = var.function_timeout
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrency

  logging_config {
    log_format = var.log_format
    log_group  = aws_cloudwatch_log_group.function.name
  }

  environment {
    variables = {
      CLOUDFRONT_DISTRIBUTION_ID = var.distribution_id_parameter_name == "" ? join(",", var.distribution_ids) : ""
      CF_DIST_ID_LABEL           = var.distribution_id_parameter_name
      LOG_LEVEL                  = var.log_level
    }
  }

  depends_on = [aws_iam_role_policy.function]
}

resource "aws_sqs_queue" "dead_letters" {
  count                     = local.eventbridge && var.dead_letter_queue ? 1 : 0
  name                      = "${var.name}-dead-letters"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "changes" {
  count = local.eventbridge ? 1 : 0
  name  = "${var.name}-changes"
  # Ten times the function timeout; Lambda's SQS guide asks for at least six.
  visibility_timeout_seconds = var.function_timeout * 10
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true
  redrive_policy = var.dead_letter_queue ? jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letters[0].arn
    maxReceiveCount     = 5
  }) : null
}

resource "aws_sqs_queue_policy" "changes" {
  count     = local.eventbridge ? 1 : 0
  queue_url = aws_sqs_queue.changes[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "FromTheBucketRule"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.changes[0].arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.bucket_changes[0].arn } }
    }]
  })
}

resource "aws_cloudwatch_event_rule" "bucket_changes" {
  count       = local.eventbridge ? 1 : 0
  name        = "${var.name}-bucket-changes"
  description = "Object Created / Object Deleted in the site's bucket, to the invalidation queue."
  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created", "Object Deleted"]
    detail        = { bucket = { name = [var.bucket_name] } }
  })
}

resource "aws_cloudwatch_event_target" "queue" {
  count = local.eventbridge ? 1 : 0
  rule  = aws_cloudwatch_event_rule.bucket_changes[0].name
  arn   = aws_sqs_queue.changes[0].arn
}

resource "aws_lambda_event_source_mapping" "queue" {
  count                              = local.eventbridge ? 1 : 0
  event_source_arn                   = aws_sqs_queue.changes[0].arn
  function_name                      = aws_lambda_function.invalidator.arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]
  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }
}

resource "aws_lambda_permission" "s3" {
  count          = var.wiring == "s3-notification" ? 1 : 0
  statement_id   = "cloudfront-invalidator-s3"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.invalidator.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_sns_topic_subscription" "topic" {
  count     = var.wiring == "sns" ? 1 : 0
  topic_arn = var.topic_arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.invalidator.arn
}

resource "aws_lambda_permission" "sns" {
  count         = var.wiring == "sns" ? 1 : 0
  statement_id  = "cloudfront-invalidator-sns"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.invalidator.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = var.topic_arn
}
