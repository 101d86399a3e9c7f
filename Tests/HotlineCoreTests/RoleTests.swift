import HotlineCore
import Testing

@Suite struct RoleTests {
    /// The permission matrix of the built-in roles, written out independently of `Role`.
    static let matrix: [Permission: Set<String>] = {
        let all: Set<String> = ["agent", "supervisor", "department-handler", "administrator", "api-client"]
        let sa: Set<String> = ["supervisor", "administrator"]
        return [
            .workOrderCreate: ["agent", "supervisor", "administrator", "api-client"],
            .workOrderRead: all,
            .workOrderAssign: sa,
            .workOrderStart: ["agent", "supervisor", "department-handler", "administrator"],
            .workOrderSubmit: ["agent", "supervisor", "department-handler", "administrator"],
            .workOrderApprove: sa,
            .workOrderReturn: sa,
            .workOrderReply: ["agent", "supervisor", "administrator"],
            .workOrderClose: ["agent", "supervisor", "administrator"],
            .workOrderReopen: sa,
            .workOrderUrge: sa,
            .workOrderDispatch: ["supervisor", "department-handler", "administrator"],
            .workOrderHandleAny: sa,
            .knowledgeRead: all,
            .knowledgeEdit: sa,
            .taxpayerRead: all,
            .taxpayerWrite: ["supervisor", "administrator", "api-client"],
            .userRead: sa,
            .userAdmin: ["administrator"],
            .apiKeyAdmin: ["administrator"],
            .auditRead: ["administrator"],
            .reportRead: ["supervisor", "administrator", "api-client"],
            .webhookAdmin: ["administrator"],
            .recordingRead: sa,
            .ctiAgent: ["agent", "supervisor", "administrator"],
            .ctiDial: ["agent", "supervisor", "administrator"],
            .ctiTransfer: ["agent", "supervisor", "administrator"],
            .ctiPickup: ["agent", "supervisor", "administrator"],
            .ctiMonitor: sa,
            .ctiForce: sa,
        ]
    }()

    @Test(arguments: Permission.allCases)
    func everyRoleHoldsExactlyTheMatrixPermissions(permission: Permission) throws {
        let expected = try #require(Self.matrix[permission], "matrix is missing \(permission)")
        for role in Role.builtIn {
            #expect(role.permissions.contains(permission) == expected.contains(role.id), "\(role.id) × \(permission.rawValue)")
        }
    }

    @Test func aUsersPermissionsComeFromItsRolesUnlessDisabled() {
        var user = User(username: "zhang.min", displayName: "张敏", kind: .agent, roles: ["agent", "no-such-role"],
                        createdAt: KnowledgeArticleTests.saved)
        let custom = Role(id: "kb-editor", title: "KB editor", permissions: [.knowledgeEdit])
        #expect(user.principal(roles: Role.builtIn + [custom]).permissions == Role.agent.permissions)
        user.roles.append("kb-editor")
        #expect(user.principal(roles: Role.builtIn + [custom]).can(.knowledgeEdit))
        user.isDisabled = true
        #expect(user.principal(roles: Role.builtIn + [custom]).permissions.isEmpty)
    }

    @Test(arguments: [("agent", true), ("complaints-desk", true), ("Agent", false), ("1st", false), ("", false), ("a b", false)])
    func roleNames(name: String, valid: Bool) {
        #expect(Role.isValidName(name) == valid)
    }

    @Test(arguments: [("zhang.min", true), ("crm@tax", true), ("张敏", false), ("", false), ("a b", false)])
    func usernames(name: String, valid: Bool) {
        #expect(User.isValidUsername(name) == valid)
    }

    @Test func permissionsHaveStableNames() throws {
        #expect(Permission.workOrderApprove.rawValue == "workorder.approve")
        #expect(try JSONEncoderForTest.encode([Permission.knowledgeEdit]) == "[\"kb.edit\"]")
        #expect(Set(Permission.allCases.map(\.rawValue)).count == Permission.allCases.count)
    }
}
