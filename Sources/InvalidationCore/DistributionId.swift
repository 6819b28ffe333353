import Formats
import JSONSupport

/// CloudFront distribution ids: upper-case letters and digits (E2QWRUHAPOMQZL).
public enum DistributionId {
    public static func isValid(_ id: some StringProtocol) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }
    }
}
