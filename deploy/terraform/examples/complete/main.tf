# The setup the product grew from: S3 -> EventBridge -> SQS (25 messages, 60 s window) -> the function, with the
# distribution id in an SSM parameter the function reads through CF_DIST_ID_LABEL.
#   make build && cd deploy/terraform/examples/complete && terraform init && terraform apply
# then turn on the bucket's EventBridge notifications: scripts/enable-bucket-notifications --bucket my-site-bucket
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
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
  batch_size                     = 25
  batching_window_seconds        = 60
  maximum_concurrency            = 2
  log_level                      = "INFO"
  log_format                     = "JSON"
}

output "queue_url" {
  value = module.invalidator.queue_url
}
