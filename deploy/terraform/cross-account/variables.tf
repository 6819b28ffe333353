variable "function_role_arn" {
  description = "The function's role in the other account (the invalidator module's role_arn output, the SAM stack's FunctionRoleArn); the only principal trusted."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}$", var.function_role_arn))
    error_message = "function_role_arn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)."
  }
}

variable "external_id" {
  description = "The external id the function sends (its EXTERNAL_ID, or the map entry's externalId); the trust policy requires it (sts:ExternalId)."
  type        = string
  sensitive   = true
  # STS's ExternalId: 2-1224 characters of [\w+=,.@:/-] (the length apart: RE2 repeats at most 1000 times).
  validation {
    condition     = can(regex("^[A-Za-z0-9_+=,.@:/-]+$", var.external_id)) && length(var.external_id) >= 2 && length(var.external_id) <= 1224
    error_message = "external_id must be 2-1224 letters, digits and _+=,.@:/- (STS's ExternalId)."
  }
}

variable "distribution_ids" {
  description = "The distributions the role may invalidate (at least one)."
  type        = list(string)
  validation {
    condition     = length(var.distribution_ids) > 0 && alltrue([for id in var.distribution_ids : can(regex("^[A-Z0-9]+$", id))])
    error_message = "distribution_ids must name at least one CloudFront distribution id (upper-case letters and digits)."
  }
}

variable "tenant_ids" {
  description = "Distribution tenants (of multi-tenant distributions) the role may invalidate; empty: none."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for id in var.tenant_ids : can(regex("^[A-Za-z0-9_-]{1,128}$", id))])
    error_message = "tenant_ids must be distribution tenant ids (dt_...)."
  }
}

variable "allow_discovery" {
  description = "true when the function names this role in DISCOVERY_ROLE_ARNS: the role may list this account's distributions and tenants and read their configuration (read-only, every distribution)."
  type        = bool
  default     = false
}

variable "role_name" {
  description = "The role's name; empty for a generated one (prefix cloudfront-invalidator-)."
  type        = string
  default     = ""
  validation {
    condition     = can(regex("^[A-Za-z0-9_+=,.@-]{0,64}$", var.role_name))
    error_message = "role_name must be an IAM role name (1-64 letters, digits and _+=,.@-) or empty."
  }
}
