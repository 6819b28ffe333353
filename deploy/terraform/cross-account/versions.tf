terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Nothing of provider 6 is needed: an account whose configuration still pins provider 5 can use it too.
      version = ">= 5.0, < 7.0"
    }
  }
}
