import Testing
@testable import HotlineServer

struct ServerConfigurationTests {
    @Test func emptyFileGivesTheDemo() throws {
        let configuration = try ServerConfiguration.parse(yaml: "")
        #expect(configuration.sip.port == 5060)
        #expect(configuration.queues.map(\.name) == ["consultation", "complaints", "vip"])
        #expect(configuration.agents.map(\.id) == Array(1001...1010))
        #expect(configuration.agents.first?.password == "agent1001")
    }

    @Test func writtenConfigurationReadsBack() throws {
        var configuration = ServerConfiguration()
        configuration.sip.port = 5070
        configuration.queues[0].ringTimeout = 9
        let again = try ServerConfiguration.parse(yaml: try configuration.yaml())
        #expect(again == configuration)
    }

    @Test func partialFileKeepsDefaults() throws {
        let configuration = try ServerConfiguration.parse(yaml: "sip:\n  port: 5080\nrtp:\n  first-port: 21000\n")
        #expect(configuration.sip.port == 5080)
        #expect(configuration.sip.host == "127.0.0.1")
        #expect(configuration.rtp.firstPort == 21000)
        #expect(configuration.rtp.lastPort == 29999)
    }

    @Test(arguments: [
        ("sip:\n  port: five\n", "sip.port"),
        ("agents:\n  - { id: 1, name: a, password: p, queues: [nowhere] }\n", "unknown queue 'nowhere'"),
        ("sip:\n  transports: [sctp]\n", "sctp"),
        ("rtp:\n  first-port: 30000\n  last-port: 20000\n", "not a port range"),
    ])
    func badFilesNameTheField(yaml: String, expected: String) throws {
        do {
            _ = try ServerConfiguration.parse(yaml: yaml, file: "test.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let error as ServerConfigurationError {
            #expect(error.message.hasPrefix("test.yaml: "))
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }
}
