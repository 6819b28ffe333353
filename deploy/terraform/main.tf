locals {
  eventbridge = var.wiring == "eventbridge-sqs"
  # One invalidation per deploy: only the EventBridge -> SQS wiring, whose queue can hold the delayed flush messages.
  coalesce = local.eventbridge && var.coalesce
  # The event source's batching when batch_size / batching_window_seconds are null: one place for each number (make
  # bench-deploy measures them). With coalescing the flush fires quiet_seconds after the last change the function
  # sees: a batching window only delays that.
  batching = {
    coalescing = { batch_size = 100, window_seconds = 1 }
    per_batch  = { batch_size = 25, window_seconds = 60 }
  }
  batching_default = local.batching[local.coalesce ? "coalescing" : "per_batch"]
  batch_size       = coalesce(var.batch_size, local.batching_default.batch_size)
  batch_window     = coalesce(var.batching_window_seconds, local.batching_default.window_seconds)
  # S3 and SNS invoke the function asynchronously: Lambda's own retries, then the on-failure destination.
  asynchronous = contains(["s3-notification", "sns"], var.wiring)
  # Every wiring but the pipeline (whose failures fail the pipeline's run) keeps what it could not handle there.
  dead_letters = var.wiring != "codepipeline"
  # A pipeline names its distributions in UserParameters: it never discovers. Nor does the function with a
  # DISTRIBUTION_MAP (DISTRIBUTION_DISCOVERY stays auto: discovery only without ids and map).
  discovery     = length(var.distribution_ids) == 0 && var.distribution_id_parameter_name == "" && var.wiring != "codepipeline" && var.distribution_map == ""
  parameter_arn = var.distribution_id_parameter_name == "" ? "" : "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:parameter/${trimprefix(var.distribution_id_parameter_name, "/")}"
  distribution_arns = length(var.distribution_ids) > 0 ? [
    for id in var.distribution_ids : "arn:${data.aws_partition.current.partition}:cloudfront::${data.aws_caller_identity.current.account_id}:distribution/${id}"
  ] : ["arn:${data.aws_partition.current.partition}:cloudfront::${data.aws_caller_identity.current.account_id}:distribution/*"]
  # The tenant operations as CreateInvalidation: on the named tenants, or every tenant of the account when no
  # distribution is named either; none when distributions are named and tenants are not.
  tenant_arns = length(var.tenant_ids) > 0 ? [
    for id in var.tenant_ids : "arn:${data.aws_partition.current.partition}:cloudfront::${data.aws_caller_identity.current.account_id}:distribution-tenant/${id}"
    ] : length(var.distribution_ids) > 0 ? [] : [
    "arn:${data.aws_partition.current.partition}:cloudfront::${data.aws_caller_identity.current.account_id}:distribution-tenant/*"
  ]
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

# S3 delivers notifications and EventBridge events only in the bucket's Region: refuse to deploy anywhere else.
data "aws_s3_bucket" "site" {
  count  = contains(["eventbridge-sqs", "s3-notification"], var.wiring) ? 1 : 0
  bucket = var.bucket_name

  lifecycle {
    postcondition {
      condition     = self.bucket_region == data.aws_region.current.region
      error_message = "The bucket is in another Region than this provider's: S3 sends its events only in the bucket's Region. Deploy the module there."
    }
  }
}

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:The log lines hold ids, counts and paths, never secrets; CloudWatch's default encryption applies.
  #checkov:skip=CKV_AWS_338:Retention is a variable (default 30 days): these are operational logs, not audit records.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "function" {
  # IAM is global: a prefix lets the module be applied in several Regions of one account.
  name_prefix = "${substr(var.name, 0, 37)}-"
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
    sid = "Invalidate"
    # ListInvalidations: the diagnosis of a CallerReference conflict.
    actions   = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation", "cloudfront:ListInvalidations"]
    resources = local.distribution_arns
  }

  # With tag rules, or for a pipeline (a job may name tags): the check of each distribution's CacheTagConfig before
  # anything is invalidated by tag, on the configured distributions only.
  dynamic "statement" {
    for_each = var.tag_rules == "" && var.wiring != "codepipeline" ? [] : [1]
    content {
      sid       = "CheckCacheTagConfig"
      actions   = ["cloudfront:GetDistributionConfig"]
      resources = local.distribution_arns
    }
  }

  # Distribution tenants' invalidations: their own actions on their own resource type
  # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html);
  # ListInvalidationsForDistributionTenant as ListInvalidations.
  dynamic "statement" {
    for_each = length(local.tenant_arns) > 0 ? [1] : []
    content {
      sid = "InvalidateTenants"
      actions = [
        "cloudfront:CreateInvalidationForDistributionTenant",
        "cloudfront:GetInvalidationForDistributionTenant",
        "cloudfront:ListInvalidationsForDistributionTenant",
      ]
      resources = local.tenant_arns
    }
  }

  # The tenants of multi-tenant distributions too (their parameters, for their origin paths).
  dynamic "statement" {
    for_each = local.discovery ? [1] : []
    content {
      sid       = "Discover"
      actions   = ["cloudfront:ListDistributions", "cloudfront:ListDistributionsByConnectionMode", "cloudfront:GetDistributionConfig", "cloudfront:ListDistributionTenants", "cloudfront:GetDistributionTenant"]
      resources = ["*"]
    }
  }

  # Distributions in other accounts: sts:AssumeRole on exactly the roles named, none without them.
  dynamic "statement" {
    for_each = length(var.assume_role_arns) > 0 ? [1] : []
    content {
      sid       = "AssumeDistributionRoles"
      actions   = ["sts:AssumeRole"]
      resources = var.assume_role_arns
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

  # TransactWriteItems has no IAM action of its own: each Put, Update, Delete and ConditionCheck inside it is
  # authorised as PutItem, UpdateItem, DeleteItem and ConditionCheckItem
  # (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
  dynamic "statement" {
    for_each = local.coalesce ? [1] : []
    content {
      sid       = "CoalesceWindows"
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"]
      resources = [aws_dynamodb_table.coalesce[0].arn]
    }
  }

  # The delayed flush message, to the function's own queue.
  dynamic "statement" {
    for_each = local.coalesce ? [1] : []
    content {
      sid       = "ScheduleFlush"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.changes[0].arn]
    }
  }

  dynamic "statement" {
    for_each = local.asynchronous ? [1] : []
    content {
      sid       = "SendFailedEvents"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.dead_letters[0].arn]
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
  #checkov:skip=CKV_AWS_116:Failed events go to the dead-letter queue through the trigger (SQS redrive, the EventBridge target) or the on-failure destination (aws_lambda_function_event_invoke_config), which also keeps the error; pipeline jobs are always reported.
  #checkov:skip=CKV_AWS_173:The environment holds ids, names and role ARNs; EXTERNAL_ID is not a secret (it guards against the confused deputy, not as a password); secrets stay in an SSM SecureString.
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
    variables = merge(
      {
        CLOUDFRONT_DISTRIBUTION_ID = var.distribution_id_parameter_name == "" ? join(",", var.distribution_ids) : ""
        CF_DIST_ID_LABEL           = var.distribution_id_parameter_name
        LOG_LEVEL                  = var.log_level
      },
      # COALESCE_QUEUE_URL: the queue the records come from, stated (the function would derive it from their
      # eventSourceARN).
      local.coalesce ? {
        COALESCE_TABLE     = aws_dynamodb_table.coalesce[0].name
        COALESCE_QUEUE_URL = aws_sqs_queue.changes[0].id
        QUIET_SECONDS      = tostring(var.quiet_seconds)
        MAX_DELAY_SECONDS  = tostring(var.max_delay_seconds)
      } : {},
      var.tag_rules == "" ? {} : {
        TAG_RULES        = var.tag_rules
        CACHE_TAG_HEADER = var.cache_tag_header
      },
      var.distribution_map == "" ? {} : { DISTRIBUTION_MAP = var.distribution_map },
      length(var.discovery_role_arns) == 0 ? {} : { DISCOVERY_ROLE_ARNS = join(",", var.discovery_role_arns) },
      var.external_id == "" ? {} : { EXTERNAL_ID = var.external_id },
      var.monthly_path_budget == null ? {} : { MONTHLY_PATH_BUDGET = tostring(var.monthly_path_budget) },
    )
  }

  depends_on = [aws_iam_role_policy.function]
}

# Coalescing's windows: per distribution (pk) a HEAD item and the recorded batches (sk), minutes-long state that TTL on
# `expires` removes once abandoned.
resource "aws_dynamodb_table" "coalesce" {
  #checkov:skip=CKV_AWS_28:No point-in-time recovery; the items live minutes and a restored window would flush changes long since invalidated.
  #checkov:skip=CKV_AWS_119:Encrypted with the AWS managed key; the items hold the site's object paths and window counters, no secrets.
  count        = local.coalesce ? 1 : 0
  name         = "${var.name}-coalesce"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires"
    enabled        = true
  }

  server_side_encryption {
    enabled = true
  }

  point_in_time_recovery {
    enabled = false
  }
}

# What could not be handled, kept 14 days: queue messages that failed 5 times, events EventBridge could not deliver to
# the queue, and (s3-notification, sns) events Lambda gave up on, with the error.
resource "aws_sqs_queue" "dead_letters" {
  count                     = local.dead_letters ? 1 : 0
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

resource "aws_sqs_queue_policy" "dead_letters" {
  count     = local.eventbridge ? 1 : 0
  queue_url = aws_sqs_queue.dead_letters[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "UndeliveredFromTheBucketRule"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.dead_letters[0].arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.bucket_changes[0].arn } }
    }]
  })
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  count               = local.dead_letters ? 1 : 0
  alarm_name          = "${var.name}-dead-letters"
  alarm_description   = "Changes cloudfront-invalidator could not invalidate wait in the dead-letter queue: read them, fix the cause, then redrive them (or invalidate by hand)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letters[0].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arn == "" ? [] : [var.alarm_topic_arn]
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

  # EventBridge's defaults, stated: 24 hours of retries, then the dead-letter queue instead of dropping.
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letters[0].arn
  }
}

# S3 and SNS invoke asynchronously: two retries on a function error, an hour at most (throttled events included),
# then the event and its error go to the dead-letter queue instead of being discarded.
resource "aws_lambda_function_event_invoke_config" "asynchronous" {
  count                        = local.asynchronous ? 1 : 0
  function_name                = aws_lambda_function.invalidator.function_name
  qualifier                    = "$LATEST"
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.dead_letters[0].arn
    }
  }

  depends_on = [aws_iam_role_policy.function]
}

resource "aws_lambda_event_source_mapping" "queue" {
  count                              = local.eventbridge ? 1 : 0
  event_source_arn                   = aws_sqs_queue.changes[0].arn
  function_name                      = aws_lambda_function.invalidator.arn
  batch_size                         = local.batch_size
  maximum_batching_window_in_seconds = local.batch_window
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

  # Failed events have somewhere to go before the first one arrives.
  depends_on = [aws_lambda_function_event_invoke_config.asynchronous]
}

resource "aws_lambda_permission" "sns" {
  count         = var.wiring == "sns" ? 1 : 0
  statement_id  = "cloudfront-invalidator-sns"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.invalidator.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = var.topic_arn
}
