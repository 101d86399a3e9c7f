import HotlineSIP
import Logging
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

struct TrunkConfigurationTests {
    @Test func trunkIsOptionalAndDecodedWithDefaults() throws {
        #expect(try ServerConfiguration.parse(yaml: "sip:\n  port: 5080\n").trunk == nil)
        let configuration = try ServerConfiguration.parse(yaml: """
            trunk:
              host: 192.0.2.10
              username: hotline12366
              password: s3cret
              register: true
              caller-id: "12366"
              prefix: "0"
            """)
        let trunk = try #require(configuration.trunk)
        #expect(trunk.host == "192.0.2.10")
        #expect(trunk.port == 5060)
        #expect(trunk.transport == "udp")
        #expect(trunk.username == "hotline12366")
        #expect(trunk.password == "s3cret")
        #expect(trunk.register)
        #expect(trunk.registerExpires == 600)
        #expect(trunk.callerID == "12366")
        #expect(trunk.presentedNumber == "12366")
        #expect(trunk.prefix == "0")
        #expect(trunk.answerTimeout == 60)
    }

    @Test func trunkReadsBackFromWrittenYAML() throws {
        var configuration = ServerConfiguration()
        configuration.trunk = .init(host: "::1", port: 5070, transport: "tcp", username: "u", password: "p", register: false, prefix: "9")
        #expect(try ServerConfiguration.parse(yaml: try configuration.yaml()) == configuration)
    }

    @Test func trunkFromJSON() throws {
        let json = #"{"trunk": {"host": "127.0.0.1", "port": 5999, "transport": "tcp"}}"#
        let configuration = try ServerConfiguration.parse(yaml: json)
        #expect(configuration.trunk?.port == 5999)
        #expect(configuration.trunk?.transport == "tcp")
        #expect(configuration.trunk?.username == nil)
        #expect(configuration.trunk?.presentedNumber == "hotline")
    }

    @Test func aTrunkHostMayBeANameResolvedAtStart() throws {
        let configuration = try ServerConfiguration.parse(yaml: "trunk:\n  host: localhost\n  port: 5999\n", file: "test.yaml")
        let trunk = try #require(configuration.trunk)
        #expect(trunk.host == "localhost")
        let resolved = try HotlineServer.resolveTrunk(trunk, logger: Logger(label: "test")).get()
        #expect(["127.0.0.1", "::1"].contains(resolved.host), "\(resolved)")
        #expect(resolved.port == 5999)
        var literal = trunk
        literal.host = "192.0.2.10"
        #expect(try HotlineServer.resolveTrunk(literal, logger: Logger(label: "test")).get().host == "192.0.2.10")
    }

    @Test(arguments: [
        ("trunk:\n  port: 5060\n", "trunk.host: missing"),
        ("trunk:\n  host: pstn..example.com\n", "neither an IP address nor a host name"),
        ("trunk:\n  host: -pstn.example.com\n", "neither an IP address nor a host name"),
        ("trunk:\n  host: 192.0.2.1\n  transport: tls\n", "trunk.transport"),
        ("trunk:\n  host: 192.0.2.1\n  username: u\n", "go together"),
        ("trunk:\n  host: 192.0.2.1\n  register: true\n", "trunk.register"),
        ("trunk:\n  host: 192.0.2.1\n  port: 70000\n", "trunk.port"),
        ("trunk:\n  host: 192.0.2.1\n  prefix: abc\n", "trunk.prefix"),
        ("trunk:\n  host: 192.0.2.1\n  register-expires: 5\n", "register-expires"),
        ("trunk:\n  host: 192.0.2.1\n  answer-timeout: 0\n", "answer-timeout"),
    ])
    func badTrunkNamesTheField(yaml: String, expected: String) throws {
        do {
            _ = try ServerConfiguration.parse(yaml: yaml, file: "test.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let error as ServerConfigurationError {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }
}
