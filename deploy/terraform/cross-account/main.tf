# The distribution's account: the role cloudfront-invalidator (in another account) assumes with STS AssumeRole to
# invalidate this account's distributions. Trusted for the function's role only, with an external id; allowed to
# invalidate the named distributions (and tenants) only. Name its role_arn output in the function's
# DISTRIBUTION_MAP (or DISCOVERY_ROLE_ARNS) and assume_role_arns.
locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  distribution_arns = [
    for id in var.distribution_ids : "arn:${local.partition}:cloudfront::${local.account}:distribution/${id}"
  ]
  tenant_arns = [
    for id in var.tenant_ids : "arn:${local.partition}:cloudfront::${local.account}:distribution-tenant/${id}"
  ]
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "TheFunctionWithTheExternalId"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.function_role_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

resource "aws_iam_role" "invalidation" {
  name        = var.role_name == "" ? null : var.role_name
  name_prefix = var.role_name == "" ? "cloudfront-invalidator-" : null
  description = "Assumed by cloudfront-invalidator in another account to invalidate this account's distributions."
  # The function asks for an hour (STS's default); its credentials are refreshed before they expire.
  max_session_duration = 3600
  assume_role_policy   = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "invalidation" {
  # ListInvalidations: the function lists a distribution's invalidations to find the batch a conflicting
  # CallerReference belongs to (a retried batch), and the CLI's status reads them.
  statement {
    sid       = "InvalidateTheDistributions"
    actions   = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation", "cloudfront:ListInvalidations"]
    resources = local.distribution_arns
  }

  # The tenants' own actions, on the distribution-tenant resource type
  # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html).
  dynamic "statement" {
    for_each = length(var.tenant_ids) > 0 ? [1] : []
    content {
      sid = "InvalidateTheTenants"
      actions = [
        "cloudfront:CreateInvalidationForDistributionTenant",
        "cloudfront:GetInvalidationForDistributionTenant",
        "cloudfront:ListInvalidationsForDistributionTenant",
      ]
      resources = local.tenant_arns
    }
  }

  # Discovery from the other account: read-only, every distribution and tenant of this account (discovery must see
  # them all to find those serving the bucket). ListDistributions and ListDistributionTenants support no
  # resource-level permissions.
  dynamic "statement" {
    for_each = var.allow_discovery ? [1] : []
    content {
      sid       = "DiscoverList"
      actions   = ["cloudfront:ListDistributions", "cloudfront:ListDistributionsByConnectionMode", "cloudfront:ListDistributionTenants"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.allow_discovery ? [1] : []
    content {
      sid       = "DiscoverDistributionConfig"
      actions   = ["cloudfront:GetDistributionConfig"]
      resources = ["arn:${local.partition}:cloudfront::${local.account}:distribution/*"]
    }
  }

  dynamic "statement" {
    for_each = var.allow_discovery ? [1] : []
    content {
      sid       = "DiscoverTenants"
      actions   = ["cloudfront:GetDistributionTenant"]
      resources = ["arn:${local.partition}:cloudfront::${local.account}:distribution-tenant/*"]
    }
  }
}

resource "aws_iam_role_policy" "invalidation" {
  name   = "invalidate"
  role   = aws_iam_role.invalidation.id
  policy = data.aws_iam_policy_document.invalidation.json
}
