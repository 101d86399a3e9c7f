import Crypto
import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

extension TestClientProtocol {
    /// Uploads bytes as a work-order attachment.
    func upload(_ order: String, fileName: String?, contentType: String?, bytes: Data, token: String) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let contentType { headers[.contentType] = contentType }
        let query = fileName.map { "?fileName=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        let response = try await execute(uri: "/api/v1/workorders/\(order)/attachments\(query)", method: .post, headers: headers,
                                         body: ByteBuffer(bytes: bytes)) { $0 }
        return TestResponse(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
    }
}

@Suite("Work-order attachments")
struct AttachmentRoutesTests {
    static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test("upload, list, download: stored under the data directory with its SHA-256, shown on the order, audited as an event")
    func roundTrip() async throws {
        let fixture = try await APIFixture { $0.maximumAttachmentBytes = 4 * 1024 * 1024 }
        try await fixture.test { client in
            let agent = try await client.login("agent")
            let opened = try await client.send(.post, "/api/v1/workorders", token: agent, json: ["kind": "report", "summary": "举报虚开发票"])
            let id = try #require(try opened.object()["id"] as? String)
            let number = try #require(try opened.object()["number"] as? String)
            // Bigger than the JSON body limit (1 MiB): attachments have their own limit.
            var pdf = Data("%PDF-1.7\n".utf8)
            pdf.append(Data((0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
            let uploaded = try await client.upload(number, fileName: "举报材料 1.pdf", contentType: "application/pdf", bytes: pdf, token: agent)
            #expect(uploaded.status == .created, "\(uploaded.text)")
            let attachment = try uploaded.object()
            let attachmentID = try #require(attachment["id"] as? String)
            #expect(attachment["sha256"] as? String == Self.hex(pdf))
            #expect(attachment["byteCount"] as? Int == pdf.count)
            #expect(attachment["fileName"] as? String == "举报材料 1.pdf")
            #expect(attachment["mediaType"] as? String == "application/pdf")
            #expect(uploaded.headers[.location] == "/api/v1/workorders/\(id)/attachments/\(attachmentID)")
            let path = try #require(attachment["storagePath"] as? String)
            #expect(path.hasPrefix("attachments/"))
            #expect(FileManager.default.contents(atPath: fixture.directory.appendingPathComponent(path).path) == pdf)

            let photo = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 7, count: 100))
            #expect(try await client.upload(id, fileName: "现场.jpg", contentType: "image/jpeg; charset=binary", bytes: photo, token: agent).status == .created)
            let listed = try await client.send(.get, "/api/v1/workorders/\(id)/attachments", token: agent)
            #expect(listed.items.compactMap { $0["fileName"] as? String } == ["举报材料 1.pdf", "现场.jpg"])
            let order = try await client.send(.get, "/api/v1/workorders/\(id)", token: agent)
            #expect(((try order.object()["attachments"]) as? [[String: Any]])?.count == 2)

            let handler = try await client.login("department-handler")
            let downloaded = try await client.send(.get, "/api/v1/workorders/\(id)/attachments/\(attachmentID)", token: handler)
            #expect(downloaded.status == .ok)
            #expect(downloaded.body == pdf)
            #expect(downloaded.headers[.contentType] == "application/pdf")
            #expect(downloaded.headers[.eTag] == "\"\(Self.hex(pdf))\"")
            #expect(downloaded.headers[.contentDisposition]?.hasPrefix("attachment; filename*=UTF-8''%E4%B8%BE") == true)

            let admin = try await client.login("administrator")
            let events = try await client.send(.get, "/api/v1/events?type=workorder.attachment.added&subject=workorder:\(id)", token: admin)
            #expect(events.items.count == 2)
            let audit = try await client.send(.get, "/api/v1/audit?subject=workorder:\(id)", token: admin)
            #expect(audit.items.filter { $0["action"] as? String == "workorder.attach" }.count == 2)

            // The bytes on disk changed behind the server's back: refused, not served.
            try Data("tampered".utf8).write(to: fixture.directory.appendingPathComponent(path))
            let corrupt = try await client.send(.get, "/api/v1/workorders/\(id)/attachments/\(attachmentID)", token: agent)
            #expect(corrupt.status == .internalServerError)
            #expect(corrupt.code == "attachment_unreadable")
        }
    }

    @Test("too large is 413, an unaccepted type 415 with the accepted list, bad names 400, empty 422, unknown order 404")
    func refusals() async throws {
        let fixture = try await APIFixture { $0.maximumAttachmentBytes = 1024 }
        try await fixture.test { client in
            let agent = try await client.login("agent")
            let opened = try await client.send(.post, "/api/v1/workorders", token: agent, json: ["kind": "complaint", "summary": "态度差"])
            let id = try #require(try opened.object()["id"] as? String)
            let big = try await client.upload(id, fileName: "big.pdf", contentType: "application/pdf", bytes: Data(count: 2048), token: agent)
            #expect(big.status == .contentTooLarge)
            #expect(big.code == "payload_too_large")
            #expect(big.text.contains("1024"))
            let exe = try await client.upload(id, fileName: "run.exe", contentType: "application/x-msdownload", bytes: Data(count: 10), token: agent)
            #expect(exe.status == .unsupportedMediaType)
            #expect(exe.code == "unsupported_media_type")
            #expect((try exe.object()["details"] as? [String: [String]])?["accepted"]?.contains("application/pdf") == true)
            let untyped = try await client.upload(id, fileName: "x.pdf", contentType: nil, bytes: Data(count: 10), token: agent)
            #expect(untyped.status == .unsupportedMediaType)
            #expect(try await client.upload(id, fileName: nil, contentType: "text/plain", bytes: Data("a".utf8), token: agent).code == "invalid_parameter")
            #expect(try await client.upload(id, fileName: "../../etc/passwd", contentType: "text/plain", bytes: Data("a".utf8), token: agent).status == .badRequest)
            let empty = try await client.upload(id, fileName: "empty.txt", contentType: "text/plain", bytes: Data(), token: agent)
            #expect(empty.status == .unprocessableContent)
            #expect(try await client.upload("GD2026-999999", fileName: "a.txt", contentType: "text/plain", bytes: Data("a".utf8), token: agent).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/workorders/\(id)/attachments/nope", token: agent).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/workorders/\(id)/attachments", token: agent).items.isEmpty)
        }
    }
}
