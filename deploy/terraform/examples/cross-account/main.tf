# The bucket and the function in one account, the distribution in another (an edge account): the role there comes
# from deploy/terraform/cross-account, applied with that account's credentials (the provider alias "edge", here a
# profile), trusting the function's role with an external id; the function names it in its DISTRIBUTION_MAP.
#   make build && cd deploy/terraform/examples/cross-account && terraform init && terraform apply \
#     -var region=eu-west-1 -var edge_profile=edge -var external_id=site-7f3c9a1e
# then turn on the bucket's EventBridge notifications (from the repository's root):
#   AWS_REGION=eu-west-1 scripts/enable-bucket-notifications --bucket my-site-bucket --wiring eventbridge
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
  description = "The site bucket's Region, where the function is deployed."
  type        = string
  default     = "eu-west-1"
}

variable "edge_profile" {
  description = "The AWS profile of the distribution's account."
  type        = string
}

variable "external_id" {
  description = "The external id the function sends and the role requires (2-1224 characters of [A-Za-z0-9_+=,.@:/-])."
  type        = string
  sensitive   = true
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias   = "edge"
  region  = var.region
  profile = var.edge_profile
}

# In the distribution's account: invalidate E2QWRUHAPOMQZL only.
module "edge_role" {
  source    = "../../cross-account"
  providers = { aws = aws.edge }

  function_role_arn = module.invalidator.role_arn
  external_id       = var.external_id
  distribution_ids  = ["E2QWRUHAPOMQZL"]
  role_name         = "site-invalidator"
}

# The role's ARN is known before the role exists (its name is fixed), so the function's map and its permission need
# no second apply.
data "aws_caller_identity" "edge" {
  provider = aws.edge
}

locals {
  edge_role_arn = "arn:aws:iam::${data.aws_caller_identity.edge.account_id}:role/site-invalidator"
}

module "invalidator" {
  source = "../.."

  artifact_path = "${path.root}/../../../../artifact.zip"
  bucket_name   = "my-site-bucket"
  distribution_map = jsonencode({
    "my-site-bucket" = { id = "E2QWRUHAPOMQZL", roleArn = local.edge_role_arn }
  })
  assume_role_arns = [local.edge_role_arn]
  external_id      = var.external_id
}

output "edge_role_arn" {
  value = module.edge_role.role_arn
}

output "queue_url" {
  value = module.invalidator.queue_url
}
