public import Foundation
import Crypto

/// The signature on a webhook delivery: `X-Hotline-Signature: sha256=<hex>` where `<hex>` is the
/// lower-case hex HMAC-SHA256 (RFC 2104) keyed with the subscription's secret over
/// `"<X-Hotline-Timestamp>.<body>"` — the timestamp (Unix seconds) is signed too, so a receiver that
/// refuses old timestamps (say, older than 5 minutes) and repeated `X-Hotline-Delivery` ids stops replays.
///
/// ```sh
/// printf '%s.' "$timestamp" | cat - body.json | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1
/// ```
public enum WebhookSignature {
    /// The signature header.
    public static let signatureHeader = "X-Hotline-Signature"
    /// The timestamp header (Unix seconds of the attempt).
    public static let timestampHeader = "X-Hotline-Timestamp"
    /// The delivery id header (the same on every attempt of a delivery).
    public static let deliveryHeader = "X-Hotline-Delivery"
    /// The event type header.
    public static let eventHeader = "X-Hotline-Event"

    /// The header value for a body signed at a time.
    ///
    /// - Parameters:
    ///   - body: The exact request body.
    ///   - timestamp: Unix seconds sent in ``timestampHeader``.
    ///   - secret: The subscription's secret.
    /// - Returns: `sha256=<64 hex digits>`.
    public static func sign(_ body: Data, timestamp: Int64, secret: String) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks a delivery as a receiver should: the signature matches (compared in constant time) and
    /// the timestamp is within `tolerance` of `now`.
    ///
    /// - Parameters:
    ///   - signature: The ``signatureHeader`` value.
    ///   - timestamp: The ``timestampHeader`` value.
    ///   - body: The exact body received.
    ///   - secret: The subscription's secret.
    ///   - now: The receiver's time.
    ///   - tolerance: The largest accepted clock difference in seconds.
    /// - Returns: `true` when the delivery is authentic and fresh.
    public static func verify(signature: String, timestamp: String, body: Data, secret: String, now: Date,
                              tolerance: TimeInterval = 300) -> Bool {
        guard let seconds = Int64(timestamp), abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { return false }
        let expected = Array(sign(body, timestamp: seconds, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
