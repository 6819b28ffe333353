variable "name" {
  description = "Name of the function and the prefix of everything this module creates."
  type        = string
  default     = "cloudfront-invalidator"
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,49}$", var.name))
    error_message = "name must be 1-49 letters, digits, hyphens and underscores (the EventBridge rule's name, NAME-bucket-changes, has at most 64)."
  }
}

variable "artifact_path" {
  description = "Path of artifact.zip (make build), with bootstrap at its root."
  type        = string
}

variable "wiring" {
  description = "eventbridge-sqs (bucket -> EventBridge -> SQS -> function), s3-notification, sns or codepipeline."
  type        = string
  default     = "eventbridge-sqs"
  validation {
    condition     = contains(["eventbridge-sqs", "s3-notification", "sns", "codepipeline"], var.wiring)
    error_message = "wiring must be eventbridge-sqs, s3-notification, sns or codepipeline."
  }
}

variable "bucket_name" {
  description = "The site's bucket (created elsewhere, in the provider's Region). Required for eventbridge-sqs and s3-notification."
  type        = string
  default     = ""
  validation {
    condition     = !contains(["eventbridge-sqs", "s3-notification"], var.wiring) || var.bucket_name != ""
    error_message = "bucket_name is required for the eventbridge-sqs and s3-notification wirings (an empty name makes a rule that never matches)."
  }
}

variable "topic_arn" {
  description = "For the sns wiring (required there): the topic the bucket notifies."
  type        = string
  default     = ""
  validation {
    condition     = var.wiring != "sns" || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.topic_arn))
    error_message = "The sns wiring needs topic_arn, an SNS topic ARN."
  }
}

variable "distribution_ids" {
  description = "Distribution ids to invalidate (CLOUDFRONT_DISTRIBUTION_ID); with an SSM parameter they scope IAM."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for id in var.distribution_ids : can(regex("^[A-Z0-9]+$", id))])
    error_message = "distribution_ids must be CloudFront distribution ids (upper-case letters and digits)."
  }
}

variable "distribution_id_parameter_name" {
  description = "An SSM parameter holding the id(s) or a DISTRIBUTION_MAP (CF_DIST_ID_LABEL). Empty: none."
  type        = string
  default     = ""
}

variable "kms_key_arn" {
  description = "The customer-managed key of a SecureString parameter; kms:Decrypt is granted on it only."
  type        = string
  default     = ""
  validation {
    condition     = var.kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias."
  }
  validation {
    condition     = var.kms_key_arn == "" || var.distribution_id_parameter_name != ""
    error_message = "kms_key_arn decrypts the SecureString named by distribution_id_parameter_name: name it too."
  }
}

variable "distribution_map" {
  description = "DISTRIBUTION_MAP: bucket (or bucket/prefix) to targets, as JSON. A target is a distribution id, \"tenant:ID\" (a distribution tenant) or {\"id\" or \"tenant\", \"roleArn\", \"externalId\"} (in another account: name the role in assume_role_arns too). Empty: not set. CloudFront permissions still follow distribution_ids and tenant_ids (all of this account's when empty)."
  type        = string
  default     = ""
  validation {
    condition     = var.distribution_map == "" || can(keys(jsondecode(var.distribution_map)))
    error_message = "distribution_map must be a JSON object (bucket or bucket/prefix to targets)."
  }
}

variable "tenant_ids" {
  description = "Distribution tenants of this account the function invalidates (DISTRIBUTION_MAP's \"tenant:ID\" targets): the tenant permissions are scoped to them. Empty: every tenant of this account without distribution_ids, none with them."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for id in var.tenant_ids : can(regex("^[A-Za-z0-9_-]{1,128}$", id))])
    error_message = "tenant_ids must be distribution tenant ids (dt_...)."
  }
}

variable "assume_role_arns" {
  description = "Every role in other accounts the function may assume (sts:AssumeRole, on these only): each roleArn of DISTRIBUTION_MAP and of pipeline jobs, and every discovery_role_arns entry. Create them with deploy/terraform/cross-account in the distributions' accounts."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.assume_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=.@/-]{1,512}$", arn))])
    error_message = "assume_role_arns must be IAM role ARNs (arn:aws:iam::ACCOUNT:role/NAME)."
  }
}

variable "discovery_role_arns" {
  description = "DISCOVERY_ROLE_ARNS: roles in other accounts whose distributions discovery lists too (created with allow_discovery). Each must be in assume_role_arns."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.discovery_role_arns : contains(var.assume_role_arns, arn)])
    error_message = "Every discovery_role_arns entry must be in assume_role_arns too (the function assumes it)."
  }
}

variable "external_id" {
  description = "EXTERNAL_ID: the external id sent with every assumed role that does not name its own (the map entry's externalId). Empty: none."
  type        = string
  default     = ""
  sensitive   = true
  validation {
    # The length apart: RE2 repeats at most 1000 times.
    condition     = var.external_id == "" || (can(regex("^[A-Za-z0-9_+=,.@:/-]+$", var.external_id)) && length(var.external_id) >= 2 && length(var.external_id) <= 1224)
    error_message = "external_id must be 2-1224 letters, digits and _+=,.@:/- (STS's ExternalId)."
  }
}

variable "coalesce" {
  description = "eventbridge-sqs only (other wirings never coalesce): record each batch's changes in a DynamoDB table and make one invalidation per distribution once the deploy has been quiet for quiet_seconds. false: one invalidation per batch, no table."
  type        = bool
  default     = true
}

variable "quiet_seconds" {
  description = "QUIET_SECONDS (with coalesce): the flush waits this long after the last change the function saw (1-900, SQS's largest DelaySeconds)."
  type        = number
  default     = 20
  validation {
    condition     = var.quiet_seconds >= 1 && var.quiet_seconds <= 900
    error_message = "quiet_seconds must be 1-900 (the flush is an SQS message delayed this long)."
  }
}

variable "max_delay_seconds" {
  description = "MAX_DELAY_SECONDS (with coalesce): a deploy that never goes quiet is flushed this long after its first change (quiet_seconds-3600)."
  type        = number
  default     = 300
  validation {
    condition     = var.max_delay_seconds <= 3600
    error_message = "max_delay_seconds must be at most 3600."
  }
  validation {
    condition     = var.wiring != "eventbridge-sqs" || !var.coalesce || var.max_delay_seconds >= var.quiet_seconds
    error_message = "max_delay_seconds must be at least quiet_seconds."
  }
}

variable "tag_rules" {
  description = "TAG_RULES: which objects the deploy uploads with which cache tag, as glob=tag entries (\"*.html=html,docs/*=docs\"). Above MAX_PATHS the function may invalidate their changes by tag, on a distribution whose CacheTagConfig names cache_tag_header (checked with cloudfront:GetDistributionConfig, granted only with rules). Empty: paths only."
  type        = string
  default     = ""
  validation {
    condition     = var.tag_rules == "" || can(regex("^[^=,]+=[^,*\\s]+(,[^=,]+=[^,*\\s]+)*$", var.tag_rules))
    error_message = "tag_rules must be glob=tag entries separated by commas, a tag printable ASCII without commas, spaces or *."
  }
}

variable "monthly_path_budget" {
  description = "MONTHLY_PATH_BUDGET: billable invalidation paths a month (CloudFront's first 1,000 a month are free) before the function collapses its requests harder (fewer, wider wildcards, at the last /*), with a warning. Counted in the coalescing table with coalesce, else estimated per warm container. null: no budget."
  type        = number
  default     = null
  validation {
    condition     = var.monthly_path_budget == null || try(var.monthly_path_budget >= 1 && var.monthly_path_budget <= 1000000000 && floor(var.monthly_path_budget) == var.monthly_path_budget, false)
    error_message = "monthly_path_budget must be a whole number from 1 to 1000000000, or null."
  }
}

variable "cache_tag_header" {
  description = "CACHE_TAG_HEADER: the origin response header that carries the tags (S3 serves the metadata cache-tag as x-amz-meta-cache-tag); the distribution's CacheTagConfig.HeaderName must name it."
  type        = string
  default     = "x-amz-meta-cache-tag"
  validation {
    condition     = can(regex("^[-0-9A-Za-z#$%&'*+.^_`|~]+$", var.cache_tag_header))
    error_message = "cache_tag_header must be an HTTP header name."
  }
}

# null: the wiring's default (locals.batching in main.tf), 100 messages and a 1 s window with coalescing (the flush, not
# the batch, gathers the deploy, and a window only delays it), 25 and 60 s without.
variable "batch_size" {
  description = "Messages per invocation (1-10000; above 10 needs a batching window of at least 1 s). null: 100 with coalesce, 25 without."
  type        = number
  default     = null
  validation {
    condition     = var.batch_size == null || try(var.batch_size >= 1 && var.batch_size <= 10000, false)
    error_message = "batch_size must be 1-10000."
  }
  validation {
    condition     = var.batching_window_seconds != 0 || try(var.batch_size <= 10, false)
    error_message = "batch_size above 10 (its default is 100 with coalesce, 25 without) needs batching_window_seconds of at least 1 (Lambda refuses it otherwise)."
  }
}

variable "batching_window_seconds" {
  description = "How long SQS gathers messages before invoking (MaximumBatchingWindowInSeconds, 0-300). null: 1 with coalesce (a longer window only delays the flush), 60 without."
  type        = number
  default     = null
  validation {
    condition     = var.batching_window_seconds == null || try(var.batching_window_seconds >= 0 && var.batching_window_seconds <= 300, false)
    error_message = "batching_window_seconds must be 0-300."
  }
}

variable "maximum_concurrency" {
  description = "The SQS event source's ScalingConfig.MaximumConcurrency (2-1000)."
  type        = number
  default     = 2
  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000
    error_message = "maximum_concurrency must be 2-1000."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the function; -1 for none."
  type        = number
  default     = -1
}

variable "dead_letter_queue" {
  description = "Move queue messages that failed 5 times to the dead-letter queue (eventbridge-sqs); with false they are retried until the queue's 4-day retention ends, then lost."
  type        = bool
  default     = true
}

variable "function_timeout" {
  description = "Function timeout in seconds; the queue's visibility timeout is ten times it."
  type        = number
  default     = 60
}

variable "memory_size" {
  description = "Function memory in MB."
  type        = number
  default     = 128
}

variable "log_level" {
  description = "LOG_LEVEL: DEBUG, INFO, WARN or ERROR."
  type        = string
  default     = "INFO"
}

variable "log_format" {
  description = "Lambda's log format: Text or JSON."
  type        = string
  default     = "Text"
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' retention periods (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "alarm_topic_arn" {
  description = "Optional SNS topic notified when the dead-letter queue alarm fires."
  type        = string
  default     = ""
  validation {
    condition     = var.alarm_topic_arn == "" || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}
