import ArgumentParser

/// The `hotline` command: the toolkit's one executable. Each area adds its subcommands here.
@main
struct HotlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotline",
        abstract: "Hotline: a public-service telephone hotline (tax service 12366 and others).",
        subcommands: [
            TaxpayersCommand.self,
            BillsCommand.self,
            DatabaseCommand.self,
            DemoDataCommand.self,
            IVRCommand.self,
            SimulateCommand.self,
            StaffingCommand.self,
            MediaCommand.self,
            FaxCommand.self,
            BenchCommand.self,
            UsersCommand.self,
            WorkOrdersCommand.self,
            KBCommand.self,
        ]
    )
}
