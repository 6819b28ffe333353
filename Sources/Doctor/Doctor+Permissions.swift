import AWSClient
import Invalidator

extension Doctor {
    /// What the function will call on one resource.
    struct Needed: Sendable, Equatable {
        var resource: String
        var actions: [String]
        /// Why, for the message: `distribution E123`, `queue q`.
        var purpose: String
    }

    /// What the function will call, simulated against its role (`SimulatePrincipalPolicy`): a denied action is a
    /// problem naming it and the resource.
    func checkPermissions(_ facts: FunctionFacts, distributions: [String]) async -> [Finding] {
        let area = "permissions"
        guard let configuration = facts.configuration else { return [] }
        guard let (partition, account) = Self.partitionAndAccount(facts.function.functionArn) else { return [] }
        let functionRegion = facts.function.functionArn.split(separator: ":")[3]
        let needed = Self.needed(
            configuration, distributions: Array(Set(distributions)).sorted(), queues: facts.queueArns,
            partition: partition, account: account, region: String(functionRegion))
        var findings: [Finding] = []
        var allowed = 0
        for need in needed {
            let results: [SimulationResult]
            do {
                results = try await clients.iam.simulatePrincipalPolicy(
                    policySourceArn: facts.function.role, actions: need.actions, resources: [need.resource])
            } catch {
                return findings + [.unchecked(area, "role", error, permission: "iam:SimulatePrincipalPolicy")]
            }
            let denied = need.actions.filter { action in
                !results.contains { $0.action.lowercased() == action.lowercased() && $0.isAllowed }
            }
            allowed += need.actions.count - denied.count
            guard !denied.isEmpty else { continue }
            findings.append(
                .problem(
                    area, need.purpose,
                    "the role \(Self.roleName(facts.function.role)) may not call \(denied.joined(separator: ", ")) on "
                        + need.resource,
                    fix: "allow \(denied.joined(separator: ", ")) on \(need.resource) in the function's role"))
        }
        if findings.isEmpty {
            findings.append(
                .ok(
                    area, "role",
                    "\(Self.roleName(facts.function.role)) may make all \(allowed) call(s) the function needs"))
        }
        return findings
    }

    static func roleName(_ arn: String) -> String {
        arn.split(separator: "/").last.map(String.init) ?? arn
    }

    /// The calls the function makes with this configuration, as the templates grant them.
    static func needed(
        _ configuration: Configuration, distributions: [String], queues: [String], partition: String,
        account: String, region: String
    ) -> [Needed] {
        var needed: [Needed] = []
        let tags = !configuration.planner.tagRules.isEmpty
        for id in distributions {
            var actions = [
                "cloudfront:CreateInvalidation", "cloudfront:GetInvalidation", "cloudfront:ListInvalidations",
            ]
            if tags { actions.append("cloudfront:GetDistributionConfig") }
            needed.append(
                Needed(
                    resource: "arn:\(partition):cloudfront::\(account):distribution/\(id)", actions: actions,
                    purpose: "distribution \(id)"))
        }
        switch configuration.distributions {
        case .parameter(let name):
            let path = name.hasPrefix("/") ? name : "/" + name
            needed.append(
                Needed(
                    resource: "arn:\(partition):ssm:\(region):\(account):parameter\(path)",
                    actions: ["ssm:GetParameter"],
                    purpose: "SSM parameter \(name)"))
        case .ids(let ids) where !ids.isEmpty:
            break
        case .ids, .none:
            guard DistributionResolver.discoveryApplies(configuration.discovery, ids: [], map: configuration.map)
            else { break }
            needed.append(
                Needed(
                    resource: "*", actions: ["cloudfront:ListDistributions", "cloudfront:GetDistributionConfig"],
                    purpose: "discovery"))
        }
        for queue in queues {
            needed.append(
                Needed(
                    resource: queue, actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    purpose: "queue \(queueName(queue))"))
        }
        if let coalescing = configuration.coalescing {
            needed.append(
                Needed(
                    resource: "arn:\(partition):dynamodb:\(region):\(account):table/\(coalescing.table)",
                    actions: [
                        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                        "dynamodb:ConditionCheckItem", "dynamodb:Query",
                    ], purpose: "coalescing table"))
            let flushQueue = coalescing.queueURL.flatMap(queueArn(fromURL:)) ?? queues.first
            if let flushQueue {
                needed.append(Needed(resource: flushQueue, actions: ["sqs:SendMessage"], purpose: "flush queue"))
            }
        }
        return needed
    }

    /// `arn:aws:sqs:<region>:<account>:<name>` for `https://sqs.<region>.amazonaws.com/<account>/<name>`.
    static func queueArn(fromURL url: String) -> String? {
        let parts = url.split(separator: "/")
        guard parts.count == 4, parts[1].hasPrefix("sqs."), parts[2].count == 12 else { return nil }
        let host = parts[1].split(separator: ".")
        guard host.count >= 4 else { return nil }
        let partition = host.last == "cn" ? "aws-cn" : "aws"
        return "arn:\(partition):sqs:\(host[1]):\(parts[2]):\(parts[3])"
    }
}
