public import ArgumentParser
import Foundation
import HotlineAuth
import HotlineCore
import HotlineSQLite

/// `hotline users …`: add, list and set passwords of users (agents, supervisors, handlers, administrators, API clients).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add and list users, set passwords.",
        subcommands: [UsersAdd.self, UsersList.self, UsersPasswd.self]
    )
}

extension User.Kind: ExpressibleByArgument {}

/// The person at the console, acting with every permission; audit entries name them `cli:<login>`.
let localOperator = Principal(userID: "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "operator"),
                              username: "cli", permissions: Set(Permission.allCases))

extension HotlineDatabase {
    /// The sign-in service over this database with bcrypt.
    var authenticator: Authenticator {
        Authenticator(users: self, sessions: self, audit: self, hasher: BcryptPasswordHasher())
    }
}

/// Reads a new password: from standard input when asked to, else twice from the terminal without echo.
func readNewPassword(fromStandardInput: Bool) throws -> String {
    if fromStandardInput {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            printError("no password on standard input")
            throw ExitCode(1)
        }
        return line
    }
    guard let first = getpass("New password: ").map({ String(cString: $0) }),
          let second = getpass("Repeat it: ").map({ String(cString: $0) }) else { throw ExitCode(1) }
    guard first == second else {
        printError("the passwords differ")
        throw ExitCode(1)
    }
    return first
}

func reportAccessError(_ body: () async throws -> Void) async throws {
    do { try await body() } catch let error as AccessError {
        printError(error.description)
        throw ExitCode(1)
    }
}

struct UsersAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user; the password is asked for (or read from stdin with --password-stdin). API clients get no password."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The sign-in name (letters, digits, '.', '_', '-', '@').") var username: String
    @Option(help: "The name shown to people.") var name: String?
    @Option(help: ArgumentHelp("agent, supervisor, departmentHandler, administrator or apiClient.", valueName: "KIND"))
    var kind: User.Kind = .agent
    @Option(name: .customLong("role"), help: "A role to grant (repeatable; default: the kind's role).") var roles: [String] = []
    @Option(help: "The department (department handlers see its work orders).") var department: String?
    @Option(help: "The agent's work number.") var agentNumber: String?
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false

    func run() async throws {
        let database = try global.openDatabase()
        let password = kind == .apiClient ? nil : try readNewPassword(fromStandardInput: passwordStdin)
        try await reportAccessError {
            let user = try await database.authenticator.addUser(
                username: username, displayName: name ?? username, kind: kind, password: password,
                roles: roles.isEmpty ? nil : roles, department: department, agentNumber: agentNumber, by: localOperator, at: Date())
            print("added \(user.kind.rawValue) \(user.username) (\(user.id)) with roles \(user.roles.joined(separator: ", "))")
        }
    }
}

struct UsersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List users with their roles and state.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON (without password hashes).") var json = false

    func run() async throws {
        let database = try global.openDatabase()
        var all: [User] = []
        var cursor: String?
        while true {
            let page = try await database.users(after: cursor, limit: 500)
            all += page
            guard page.count == 500, let last = page.last else { break }
            cursor = last.username
        }
        if json {
            let redacted = all.map { user -> User in
                var copy = user
                copy.passwordHash = nil
                return copy
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(redacted), as: UTF8.self))
            return
        }
        let now = Date()
        for user in all {
            var state = user.isDisabled ? "disabled" : "active"
            if let until = user.lockedUntil, until > now { state = "locked until \(until.formatted(.iso8601))" }
            let extra = [user.department, user.agentNumber.map { "#\($0)" }].compactMap { $0 }.joined(separator: " ")
            print("\(user.username)\t\(user.displayName)\t\(user.kind.rawValue)\t\(user.roles.joined(separator: ","))\t\(state)\t\(extra)")
        }
        if all.isEmpty { print("no users; add one with: hotline users add NAME --kind administrator") }
    }
}

struct UsersPasswd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Set a user's password (ends their sessions and clears a lockout)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The sign-in name.") var username: String
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false

    func run() async throws {
        let database = try global.openDatabase()
        guard let user = try await database.user(username: username) else {
            printError("no user '\(username)'")
            throw ExitCode(1)
        }
        let password = try readNewPassword(fromStandardInput: passwordStdin)
        try await reportAccessError {
            try await database.authenticator.setPassword(userID: user.id, to: password, by: localOperator, at: Date())
            print("password of \(user.username) set")
        }
    }
}
