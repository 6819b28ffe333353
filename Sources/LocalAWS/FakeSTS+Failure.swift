import AWSClient

extension FakeSTS {
    /// An STS refusal, answered as the query protocol's XML error:
    /// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
    struct Failure: Error {
        var status = 400
        var code: String
        var message: String

        /// A parameter outside its constraint, worded as STS words its model's constraints.
        static func constraint(_ field: String, _ value: String?, _ rule: String) -> Failure {
            let shown = value.map { "'\($0)'" } ?? "null"
            return Failure(
                code: "ValidationError",
                message: "1 validation error detected: Value \(shown) at '\(field)' failed to satisfy constraint: "
                    + "Member must \(rule)")
        }

        static func accessDenied(caller: String, role: String) -> Failure {
            Failure(
                status: 403, code: "AccessDenied",
                message: "User: \(caller) is not authorized to perform: sts:AssumeRole on resource: \(role)")
        }

        var isSender: Bool { status < 500 }

        func response(requestId: String) -> HTTPResponse {
            let body = """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>\
                <Type>\(isSender ? "Sender" : "Receiver")</Type><Code>\(XML.escape(code))</Code>\
                <Message>\(XML.escape(message))</Message></Error><RequestId>\(requestId)</RequestId></ErrorResponse>
                """
            return FakeSTS.xmlResponse(status: status, body: body, requestId: requestId)
        }
    }

    /// An STS answer: `text/xml`, the request id in `x-amzn-RequestId`.
    static func xmlResponse(status: Int, body: String, requestId: String) -> HTTPResponse {
        let bytes = Array(body.utf8)
        return HTTPResponse(
            statusCode: status,
            headers: [
                HTTPHeader("x-amzn-requestid", requestId), HTTPHeader("content-type", "text/xml"),
                HTTPHeader("content-length", String(bytes.count)),
            ], body: bytes)
    }
}
