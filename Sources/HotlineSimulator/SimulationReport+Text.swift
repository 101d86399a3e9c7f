extension SimulationReport {
    /// The report as a plain-text table for a supervisor.
    /// - Parameter maximumAgents: Agent rows to print at most (the busiest first).
    /// - Returns: The text.
    public func text(maximumAgents: Int = 40) -> String {
        var lines: [String] = []
        let header = pad("", 12) + pad("offered", 9) + pad("answered", 9) + pad("abandon", 8) + pad("overflow", 9)
            + pad("p_wait", 8) + pad("ASA s", 8) + pad("SL", 7) + pad("aband%", 7) + pad("occup", 7) + pad("max s", 8)
        func row(_ name: String, _ f: Figures) -> String {
            pad(name, 12) + pad("\(f.offered)", 9) + pad("\(f.answered)", 9) + pad("\(f.abandoned)", 8)
                + pad("\(f.overflowed)", 9) + pad(percent(f.pWait), 8) + pad(fixed(f.asaSeconds, 1), 8)
                + pad(percent(f.serviceLevel), 7) + pad(percent(f.abandonRate), 7) + pad(percent(f.occupancy), 7)
                + pad(fixed(f.maxWaitSeconds, 0), 8)
        }
        lines.append("Service level target: \(fixed(serviceLevelSeconds, 0)) s; seed \(seed)")
        lines.append("")
        lines.append(header)
        for queue in queues { lines.append(row(queue.name, queue.figures)) }
        lines.append(row("total", total))
        for callerClass in callerClasses { lines.append(row(callerClass.name, callerClass.figures)) }
        if intervals.count > 1 {
            lines.append("")
            lines.append("interval" + header.dropFirst(8))
            for interval in intervals { lines.append(row(interval.start, interval.figures)) }
        }
        lines.append("")
        let shown = agents.sorted { $0.calls > $1.calls }.prefix(maximumAgents)
        lines.append(pad("agent", 16) + pad("calls", 8) + pad("talk min", 10))
        for agent in shown {
            lines.append(pad(agent.name, 16) + pad("\(agent.calls)", 8) + pad(fixed(agent.talkSeconds / 60, 1), 10))
        }
        if agents.count > shown.count { lines.append("… and \(agents.count - shown.count) more agents (see --json)") }
        return lines.joined(separator: "\n")
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    if digits == 0 { return "\(Int(rounded))" }
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    }
    return text
}

func percent(_ value: Double) -> String { fixed(value * 100, 1) + "%" }
