import Foundation
public import HotlineCore
import Logging

extension APIApplication {
    /// The work the API process does on its own until the task is cancelled: webhook delivery from
    /// the event log (every ``APIConfiguration/webhookPollInterval``) and the SLA check that urges and
    /// escalates late work orders (every ``APIConfiguration/serviceLevelCheckInterval``), both on the
    /// configured clock. ``run(onServerRunning:)`` runs it beside the server.
    public func runBackgroundWork() async {
        await withDiscardingTaskGroup { group in
            if configuration.webhookPollInterval > .zero {
                group.addTask { await webhookDispatcher.run(pollInterval: configuration.webhookPollInterval) }
            }
            if configuration.serviceLevelCheckInterval > .zero {
                group.addTask { await runServiceLevelChecks(every: configuration.serviceLevelCheckInterval) }
            }
        }
    }

    /// The webhook dispatcher over this API's stores and clock.
    public var webhookDispatcher: WebhookDispatcher {
        WebhookDispatcher(store: stores.webhooks, events: stores.events, policy: configuration.webhookRetryPolicy,
                          now: configuration.now, logger: logger)
    }

    /// Runs the SLA check once: open work orders due soon get a reminder, late ones an escalation
    /// (events `workorder.urged` by `system`, which webhooks deliver like any other).
    ///
    /// - Returns: The urges made.
    /// - Throws: Storage errors.
    @discardableResult
    public func checkServiceLevels() async throws -> [WorkOrderUrged] {
        try await desk.checkServiceLevels(at: now)
    }

    private func runServiceLevelChecks(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                let urged = try await checkServiceLevels()
                if !urged.isEmpty { logger.info("SLA check urged work orders", metadata: ["count": "\(urged.count)"]) }
            } catch {
                logger.error("SLA check failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
