import AWSClient
import InvalidationCore

/// The invalidation operations on a target: a distribution's (`CreateInvalidation`, …) or a distribution tenant's
/// (`CreateInvalidationForDistributionTenant`, …). Both take the same `InvalidationBatch` and answer the same
/// `Invalidation`, so everything above this point treats them alike.
extension CloudFrontClient {
    public func createInvalidation(
        target: CloudFrontTarget, callerReference: String, paths: [String], context: AWSCallContext
    ) async throws(AWSError) -> Invalidation {
        switch target.resource {
        case .distribution(let id):
            return try await createInvalidation(
                distributionId: id, callerReference: callerReference, paths: paths, context: context)
        case .tenant(let id):
            return try await createInvalidation(
                tenantId: id, callerReference: callerReference, paths: paths, context: context)
        }
    }

    public func getInvalidation(
        target: CloudFrontTarget, id: String, context: AWSCallContext
    ) async throws(AWSError) -> Invalidation {
        switch target.resource {
        case .distribution(let distributionId):
            return try await getInvalidation(distributionId: distributionId, id: id, context: context)
        case .tenant(let tenantId):
            return try await getInvalidation(tenantId: tenantId, id: id, context: context)
        }
    }

    public func listInvalidations(
        target: CloudFrontTarget, marker: String? = nil, maxItems: Int, context: AWSCallContext
    ) async throws(AWSError) -> InvalidationListPage {
        switch target.resource {
        case .distribution(let id):
            return try await listInvalidations(distributionId: id, marker: marker, maxItems: maxItems, context: context)
        case .tenant(let id):
            return try await listInvalidations(tenantId: id, marker: marker, maxItems: maxItems, context: context)
        }
    }
}
