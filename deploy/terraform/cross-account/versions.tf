terraform {
  # As the invalidator module (deploy/terraform), so that one Terraform and provider serve both.
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Provider 6: data.aws_region's region attribute (name is deprecated there).
      version = "~> 6.0"
    }
  }
}
