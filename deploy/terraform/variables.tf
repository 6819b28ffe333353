variable "name" {
  description = "Name of the function and the prefix of everything this module creates."
  type        = string
  default     = "cloudfront-invalidator"
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
  description = "The site's bucket (created elsewhere). Required for eventbridge-sqs and s3-notification."
  type        = string
  default     = ""
}

variable "topic_arn" {
  description = "For the sns wiring: the topic the bucket notifies."
  type        = string
  default     = ""
}

variable "distribution_ids" {
  description = "Distribution ids to invalidate (CLOUDFRONT_DISTRIBUTION_ID); with an SSM parameter they scope IAM."
  type        = list(string)
  default     = []
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
}

variable "batch_size" {
  description = "Messages per invocation."
  type        = number
  default     = 25
}

variable "batching_window_seconds" {
  description = "How long SQS gathers messages before invoking (MaximumBatchingWindowInSeconds)."
  type        = number
  default     = 60
}

variable "maximum_concurrency" {
  description = "The SQS event source's ScalingConfig.MaximumConcurrency (2-1000)."
  type        = number
  default     = 2
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the function; -1 for none."
  type        = number
  default     = -1
}

variable "dead_letter_queue" {
  description = "Give the queue a dead-letter queue (messages that failed 5 times)."
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
}
