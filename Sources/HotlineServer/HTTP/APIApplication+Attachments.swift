import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore
import Logging
import NIOCore

extension APIApplication {
    func addAttachmentRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("workorders/{id}/attachments") { _, context in
            _ = try context.require(.workOrderRead)
            let order = try await workOrder(context)
            return try APIJSON.response(Page(items: order.attachments, nextCursor: nil))
        }
        // The body is the file itself, its Content-Type the file's type; the name comes in ?fileName=.
        api.post("workorders/{id}/attachments") { request, context in
            let principal = try context.require(.workOrderRead)
            guard principal.can(.workOrderCreate) || principal.can(.workOrderStart) else { throw APIError.forbidden(.workOrderCreate) }
            let order = try await workOrder(context)
            guard let fileName = request.query("fileName") else {
                throw APIError.badParameter("fileName", "is required: the file's name, e.g. ?fileName=%E4%B8%BE%E6%8A%A5%E6%9D%90%E6%96%99.pdf")
            }
            guard (1...255).contains(fileName.count), !fileName.contains("/"), !fileName.contains("\\"),
                  !fileName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }), fileName != ".", fileName != ".." else {
                throw APIError.badParameter("fileName", "must be a plain file name of 1–255 characters without '/', '\\' or control characters")
            }
            let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard WorkOrderDraft.acceptedMediaTypes.contains(mediaType) else {
                throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                               message: "Content-Type '\(mediaType)' is not accepted for attachments; send the file's type, one of: "
                                   + WorkOrderDraft.acceptedMediaTypes.sorted().joined(separator: ", "),
                               details: ["accepted": WorkOrderDraft.acceptedMediaTypes.sorted()])
            }
            let limit = configuration.maximumAttachmentBytes
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
                throw APIError(.contentTooLarge, code: "payload_too_large", message: "the attachment is \(length) bytes; at most \(limit) are accepted")
            }
            let data: Data
            do {
                data = Data(try await request.body.collect(upTo: limit).readableBytesView)
            } catch is NIOTooManyBytesError {
                throw APIError(.contentTooLarge, code: "payload_too_large", message: "the attachment is larger than \(limit) bytes")
            }
            guard !data.isEmpty else { throw APIError.invalidField("body", "is empty; send the file's bytes") }
            let id = UUID().uuidString.lowercased()
            let digest = AttachmentFiles.sha256(data)
            let path = try stores.attachmentFiles.write(data, workOrderID: order.id, attachmentID: id)
            let attachment = WorkOrder.Attachment(id: id, fileName: fileName, mediaType: mediaType, byteCount: data.count, sha256: digest,
                                                  storagePath: path, addedAt: now, addedBy: principal.userID)
            do {
                _ = try await desk.attach(attachment, to: order.id, by: principal, at: now)
            } catch {
                stores.attachmentFiles.remove(path)
                throw error
            }
            var response = try APIJSON.response(attachment, status: .created)
            response.headers[.location] = "/api/v1/workorders/\(order.id)/attachments/\(id)"
            return response
        }
        api.get("workorders/{id}/attachments/{attachmentID}") { _, context in
            _ = try context.require(.workOrderRead)
            let order = try await workOrder(context)
            let attachmentID = try context.path("attachmentID")
            guard let attachment = order.attachments.first(where: { $0.id == attachmentID }) else {
                throw APIError.notFound("work order \(order.number) has no attachment '\(attachmentID)'")
            }
            let data: Data
            do {
                data = try stores.attachmentFiles.read(attachment.storagePath, sha256: attachment.sha256)
            } catch let error as AttachmentFileError {
                logger.error("attachment unreadable", metadata: ["error": "\(error)", "workOrder": "\(order.id)"])
                throw APIError(.internalServerError, code: "attachment_unreadable", message: error.description)
            }
            var headers: HTTPFields = [
                .contentType: attachment.mediaType,
                .contentDisposition: "attachment; filename*=UTF-8''" + (attachment.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"),
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ]
            if let sha256 = attachment.sha256 { headers[.eTag] = "\"\(sha256)\"" }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    private func workOrder(_ context: APIRequestContext) async throws -> WorkOrder {
        let id = try context.path("id")
        guard let order = try await stores.workOrders.workOrder(id) else { throw APIError.notFound("no work order '\(id)'") }
        return order
    }
}
