public import Foundation

/// Where prompt and fragment files live: `ROOT/<language>/<key>.wav` (e.g. `prompts/zh/wan.wav`).
public struct PromptLibrary: Sendable, Hashable {
    /// The root directory, normally `<data-dir>/prompts`.
    public var root: URL

    /// Creates a library.
    /// - Parameter root: the prompts directory.
    public init(root: URL) {
        self.root = root
    }

    /// The library under a data directory (`<dataDirectory>/prompts`).
    /// - Parameter dataDirectory: the hotline data directory.
    /// - Returns: the library.
    public static func inDataDirectory(_ dataDirectory: URL) -> PromptLibrary {
        PromptLibrary(root: dataDirectory.appendingPathComponent("prompts", isDirectory: true))
    }

    /// The file for a fragment or prompt key.
    /// - Parameters:
    ///   - key: the fragment or prompt key.
    ///   - language: its language.
    /// - Returns: `root/<zh|en>/<key>.wav`.
    public func url(for key: String, language: SpokenLanguage) -> URL {
        root.appendingPathComponent(language.rawValue, isDirectory: true).appendingPathComponent("\(key).wav")
    }
}

/// The prompts every hotline needs besides the "say" fragments, with their text in each language.
public enum CommonPrompt: String, Sendable, Hashable, CaseIterable, Codable {
    /// Greeting.
    case welcome
    /// Main menu of the tax hotline.
    case mainMenu = "main-menu"
    /// Invalid choice.
    case invalidInput = "invalid-input"
    /// No input heard.
    case noInput = "no-input"
    /// Ask for the taxpayer identification number.
    case enterTaxpayerID = "enter-taxpayer-id"
    /// Please hold.
    case pleaseHold = "please-hold"
    /// Transferring to an agent.
    case transferToAgent = "transfer-to-agent"
    /// All agents are busy.
    case allAgentsBusy = "all-agents-busy"
    /// Queue position announcement lead-in ("you are number …").
    case queuePosition = "queue-position"
    /// Estimated waiting time lead-in.
    case estimatedWait = "estimated-wait"
    /// Leave a message after the tone.
    case leaveMessage = "leave-message"
    /// Recording notice.
    case callRecorded = "call-recorded"
    /// Satisfaction survey.
    case survey
    /// Your amount due is … (lead-in to a money reading).
    case amountDue = "amount-due"
    /// Thanks and goodbye.
    case goodbye

    /// The words of the prompt.
    /// - Parameter language: Mandarin or English.
    /// - Returns: the text to record or synthesise.
    public func text(_ language: SpokenLanguage) -> String {
        switch (self, language) {
        case (.welcome, .mandarin): "您好，欢迎致电一二三六六纳税缴费服务热线。"
        case (.welcome, .english): "Welcome to the one two three six six tax service hotline."
        case (.mainMenu, .mandarin): "个人所得税请按一，增值税请按二，发票问题请按三，社保缴费请按四，人工服务请按零。"
        case (.mainMenu, .english): "For individual income tax, press one. For value added tax, press two. For invoices, press three. For social insurance, press four. To speak to an agent, press zero."
        case (.invalidInput, .mandarin): "对不起，您的输入有误，请重新输入。"
        case (.invalidInput, .english): "Sorry, that is not a valid choice. Please try again."
        case (.noInput, .mandarin): "对不起，没有收到您的输入。"
        case (.noInput, .english): "Sorry, we did not receive your input."
        case (.enterTaxpayerID, .mandarin): "请输入您的纳税人识别号，以井号键结束。"
        case (.enterTaxpayerID, .english): "Please enter your taxpayer identification number, followed by the hash key."
        case (.pleaseHold, .mandarin): "请稍候。"
        case (.pleaseHold, .english): "Please hold."
        case (.transferToAgent, .mandarin): "正在为您转接人工服务，请稍候。"
        case (.transferToAgent, .english): "Transferring you to an agent. Please hold."
        case (.allAgentsBusy, .mandarin): "坐席人员正忙，请您耐心等待。"
        case (.allAgentsBusy, .english): "All our agents are busy. Please stay on the line."
        case (.queuePosition, .mandarin): "您前面还有"
        case (.queuePosition, .english): "Callers ahead of you:"
        case (.estimatedWait, .mandarin): "预计等待时间"
        case (.estimatedWait, .english): "Your estimated waiting time is"
        case (.leaveMessage, .mandarin): "请在提示音后留言，按井号键结束。"
        case (.leaveMessage, .english): "Please leave a message after the tone, then press the hash key."
        case (.callRecorded, .mandarin): "为了提高服务质量，您的通话可能会被录音。"
        case (.callRecorded, .english): "This call may be recorded to improve our service."
        case (.survey, .mandarin): "满意请按一，基本满意请按二，不满意请按三。"
        case (.survey, .english): "If you were satisfied, press one. Fairly satisfied, press two. Not satisfied, press three."
        case (.amountDue, .mandarin): "您的应缴金额为"
        case (.amountDue, .english): "The amount due is"
        case (.goodbye, .mandarin): "感谢您的来电，再见。"
        case (.goodbye, .english): "Thank you for calling. Goodbye."
        }
    }
}
