# The setup the product grew from: S3 -> EventBridge -> SQS (25 messages, 60 s window) -> the function, one
# invalidation per batch, with the distribution id in an SSM parameter the function reads through CF_DIST_ID_LABEL.
# For one invalidation per deploy, drop coalesce, batch_size and batching_window_seconds (the module's defaults).
#   make build && cd deploy/terraform/examples/complete && terraform init && terraform apply -var region=eu-west-1
# then turn on the bucket's EventBridge notifications (from the repository's root):
#   AWS_REGION=eu-west-1 scripts/enable-bucket-notifications --bucket my-site-bucket --wiring eventbridge
# The region must be the bucket's: S3 sends its events only in the bucket's Region (the module refuses another).
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

variable "region" {
  description = "The site bucket's Region, where everything is deployed."
  type        = string
  default     = "eu-west-1"
}

provider "aws" {
  region = var.region
}

resource "aws_ssm_parameter" "distribution" {
  #checkov:skip=CKV2_AWS_34:The value is a distribution id, not a secret; a String parameter keeps kms:Decrypt out of the role.
  name  = "/site/cloudfront-distribution-id"
  type  = "String"
  value = "E2QWRUHAPOMQZL"
}

module "invalidator" {
  source = "../.."

  artifact_path                  = "${path.root}/../../../../artifact.zip"
  bucket_name                    = "my-site-bucket"
  distribution_ids               = ["E2QWRUHAPOMQZL"]
  distribution_id_parameter_name = aws_ssm_parameter.distribution.name
  coalesce                       = false
  batch_size                     = 25
  batching_window_seconds        = 60
  maximum_concurrency            = 2
  log_level                      = "INFO"
  log_format                     = "JSON"
}

output "queue_url" {
  value = module.invalidator.queue_url
}

output "dead_letter_queue_url" {
  value = module.invalidator.dead_letter_queue_url
}
