public import Foundation

/// One contact with a taxpayer (service history, F5): a call, a message, a visit.
public struct ContactRecord: Sendable, Hashable, Codable, Identifiable {
    /// How the contact happened.
    public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
        /// The taxpayer called the hotline.
        case inboundCall = "inbound_call"
        /// The hotline called the taxpayer (call-back, dunning, survey).
        case outboundCall = "outbound_call"
        /// Self-service by keypad, without an agent.
        case selfService = "self_service"
        /// SMS.
        case sms
        /// E-mail.
        case email
        /// Fax.
        case fax
        /// Web form or chat.
        case web
        /// In person at a service hall.
        case visit
    }

    /// A unique ID.
    public var id: UUID
    /// The taxpayer contacted.
    public var taxpayerNumber: TaxpayerNumber
    /// When it happened.
    public var occurredAt: Date
    /// The channel.
    public var channel: Channel
    /// What it was about, in a sentence or two.
    public var summary: String
    /// The agent who handled it, if any.
    public var agent: String?
    /// The call it belongs to, if any.
    public var callID: String?
    /// The work order it created or updated, if any.
    public var workOrderID: String?

    /// Creates a contact record.
    ///
    /// - Parameters:
    ///   - id: A unique ID.
    ///   - taxpayerNumber: The taxpayer contacted.
    ///   - occurredAt: When.
    ///   - channel: How.
    ///   - summary: What about.
    ///   - agent: The agent's ID.
    ///   - callID: The call's ID.
    ///   - workOrderID: The work order's ID.
    public init(id: UUID, taxpayerNumber: TaxpayerNumber, occurredAt: Date, channel: Channel, summary: String,
                agent: String? = nil, callID: String? = nil, workOrderID: String? = nil) {
        self.id = id
        self.taxpayerNumber = taxpayerNumber
        self.occurredAt = occurredAt
        self.channel = channel
        self.summary = summary
        self.agent = agent
        self.callID = callID
        self.workOrderID = workOrderID
    }
}
