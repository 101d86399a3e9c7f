import Foundation
import HTTPTypes
import HotlineCore
import Hummingbird
import NIOCore

extension APIApplication {
    /// `/health` (no authentication; 503 when the server reports itself degraded) and `/metrics`
    /// (Prometheus text; permission `report.read`: scrape with an API key, e.g. Prometheus'
    /// `authorization: { credentials: <key> }`).
    func addOperationsRoutes(to router: Router<APIRequestContext>) {
        let operations = self.operations
        router.get("health") { _, _ in
            guard let operations else { return try APIJSON.response(HealthReport(status: "ok")) }
            let report = await operations.health()
            return try APIJSON.response(report, status: report.status == "ok" ? .ok : .serviceUnavailable)
        }
        let metrics = router.group("metrics").add(middleware: AuthenticationMiddleware(authenticator: authenticator, now: configuration.now))
        metrics.get { _, context in
            _ = try context.require(.reportRead)
            guard let operations else {
                throw APIError(.serviceUnavailable, code: "not_available", message: "this API is not attached to a running hotline server")
            }
            let text = await operations.prometheusMetrics()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
