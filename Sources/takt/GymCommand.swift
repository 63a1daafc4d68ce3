import ArgumentParser
import Foundation
import TaktLanguage

/// `takt gym FILE --agent NAME`: one JSON object a line each way (docs/agents.md). The
/// client sends `{"reset": SEED}`, `{"step": ACTION}` or `{"describe": true}`; a line that is
/// none of these gets `{"error": TEXT}` and the episode goes on. End of input ends the program.
struct GymCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gym", abstract: "Serve one agent's decisions to an outside learner.")

    @Argument(help: "The script whose plant the agent acts in.")
    var file: String

    @Option(help: "The agent whose decisions are served.")
    var agent: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Give a param a value, such as speed=1.2 (repeatable).", valueName: "name=value"))
    var paramSettings: [String] = []

    @Flag(name: .customLong("quiet-warnings"), help: "Do not print the checker's warnings.")
    var quietWarnings = false

    func run() throws {
        let source = try Terminal.loadScript(file)
        var options = RunOptions()
        options.paramSettings = paramSettings
        options.warnings = quietWarnings ? { _ in } : { Terminal.report($0) }
        let session: GymSession
        switch GymSession.open(source, agent: agent, options: options) {
        case .success(let s): session = s
        case .failure(.diagnostics(let d)):
            Terminal.report(d)
            throw Exit(status: 1)
        case .failure(.usage(let message)):
            Terminal.standardError("Error: \(message)\nUsage: takt gym <file> --agent <name>\n")
            throw Exit(status: 2)
        }
        // A client that goes away must not kill or hang the server: writes then fail and end it.
        signal(SIGPIPE, SIG_IGN)
        while let line = readLine() {
            if line.allSatisfy(\.isWhitespace) { continue }
            let reply = GymCommand.answer(line, session)
            guard fputs(reply + "\n", stdout) >= 0, fflush(stdout) == 0 else { break }
        }
        session.close()
    }

    static func answer(_ line: String, _ session: GymSession) -> String {
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object.count == 1,
              let (key, value) = object.first else {
            return error("expected one JSON object with one key: {\"reset\": SEED}, {\"step\": ACTION} or {\"describe\": true}")
        }
        do {
            switch key {
            case "reset":
                guard let seed = wholeNumber(value), seed >= 0 else { return error("reset takes a seed, a whole number >= 0") }
                return reply(try session.reset(seed: UInt64(seed)))
            case "step":
                guard let action = wholeNumber(value) else { return error("step takes an action, a whole number") }
                return reply(try session.step(action: action))
            case "describe":
                return "{\"actions\": [\(session.actions.map(quoted).joined(separator: ", "))], \"observe\": [\(session.observationLabels.map(quoted).joined(separator: ", "))], \"time_unit\": \(quoted(session.timeUnit))}"
            default:
                return error("unknown request '\(key)': send {\"reset\": SEED}, {\"step\": ACTION} or {\"describe\": true}")
            }
        } catch let e as GymSession.GymError {
            return error(e.message)
        } catch let d as Diagnostic {
            return error(d.message)
        } catch {
            return GymCommand.error("\(error)")
        }
    }

    static func wholeNumber(_ v: Any) -> Int? {
        guard !(type(of: v) == Bool.self), let n = v as? NSNumber, String(describing: type(of: v)) != "__NSCFBoolean" else { return nil }
        let x = n.doubleValue
        guard x == x.rounded(), abs(x) < 1e15 else { return nil }
        return Int(x)
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }

    static func quoted(_ s: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
        let array = data.flatMap { String(data: $0, encoding: .utf8) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }

    static func reply(_ r: GymSession.Reply) -> String {
        "{\"observation\": [\(r.observation.map(number).joined(separator: ", "))], \"reward\": \(number(r.reward)), \"terminated\": false, \"truncated\": \(r.truncated), \"info\": {\"time\": \(number(r.time)), \"decisions\": \(r.decisions)}}"
    }

    static func error(_ message: String) -> String { "{\"error\": \(quoted(message))}" }
}
