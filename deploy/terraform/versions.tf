terraform {
  # 1.9: variable validations may refer to other variables (wiring and bucket_name, batch_size and its window).
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Provider 6: data.aws_region's region attribute (name is deprecated there).
      version = "~> 6.0"
    }
  }
}
