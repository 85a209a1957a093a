import Contracts

/// The `sla` section and the ordering rule shared with per-bank overrides.
enum SLAKeys {
    static let all = ["urgent", "normal", "escalation_steps", "hold_warning"]
    static let windowKeys = ["acknowledge", "freeze"]
}

extension ConfigurationDecoder {
    func decodeSLA(_ section: Section) -> SLASettings {
        var sla = SLASettings()
        sla.urgent = decodeWindows(section.section("urgent", known: SLAKeys.windowKeys), defaults: sla.urgent)
        sla.normal = decodeWindows(section.section("normal", known: SLAKeys.windowKeys), defaults: sla.normal)
        if let steps = decodeEscalationSteps(section) { sla.escalationSteps = steps }
        if let holdWarning = section.positiveDuration("hold_warning") { sla.holdWarning = holdWarning }
        for priority in Priority.allCases {
            log.checkOrder(
                sla.windows(for: priority), explicit: section.path.key(priority.rawValue),
                context: "\(priority.rawValue) priority")
        }
        return sla
    }

    private func decodeWindows(_ section: Section, defaults: ResponseTimes) -> ResponseTimes {
        var windows = defaults
        if let acknowledge = section.positiveDuration("acknowledge") { windows.acknowledge = acknowledge }
        if let freeze = section.positiveDuration("freeze") { windows.freeze = freeze }
        return windows
    }

    func decodeWindowOverrides(_ section: Section) -> ResponseTimeOverrides {
        ResponseTimeOverrides(
            acknowledge: section.positiveDuration("acknowledge"), freeze: section.positiveDuration("freeze"))
    }

    private func decodeEscalationSteps(_ section: Section) -> [Duration]? {
        guard let tree = section.value("escalation_steps") else { return nil }
        let path = section.path.key("escalation_steps")
        var previous: Duration?
        return Read.list(tree, at: path, log: log) { item, itemPath in
            guard let step = Read.duration(item, at: itemPath, log: log) else { return nil }
            guard step > .zero else {
                log.error(itemPath, item.source, "must be longer than zero")
                return nil
            }
            defer { previous = step }
            if let previous, step <= previous {
                log.error(
                    itemPath, item.source,
                    "\(DurationText.format(step)) must be later than the step before it "
                        + "(\(DurationText.format(previous))): escalation steps are strictly increasing offsets")
                return nil
            }
            return step
        }
    }
}

extension ProblemLog {
    /// Reports `windows` whose freeze deadline comes before the acknowledge deadline.
    ///
    /// The problem is placed on the value written under `explicit` (freeze preferred, else
    /// acknowledge); nothing is reported when neither was written there, because the
    /// combination then comes from elsewhere and is reported there. Values not written under
    /// `explicit` are labelled as inherited from `inherited`.
    func checkOrder(_ windows: ResponseTimes, explicit: ConfigPath, inherited: ConfigPath? = nil, context: String) {
        guard windows.freeze < windows.acknowledge else { return }
        let freezePath = explicit.key("freeze")
        let acknowledgePath = explicit.key("acknowledge")
        // A value that failed to decode was replaced by its default; comparing it would
        // report a conflict the user never wrote.
        let failed = Set(errors.map(\.path))
        guard !failed.contains(freezePath.description), !failed.contains(acknowledgePath.description) else { return }
        let blamed = sources[freezePath] != nil ? freezePath : acknowledgePath
        guard let source = sources[blamed] else { return }
        func label(_ key: String, _ duration: Duration) -> String {
            let written = sources[explicit.key(key)] != nil
            let origin = written ? "" : inherited.map { ", from \($0)" } ?? ", the default"
            return "\(DurationText.format(duration))\(origin)"
        }
        error(
            blamed, source,
            "\(context): the freeze deadline (\(label("freeze", windows.freeze))) "
                + "is shorter than the acknowledge deadline (\(label("acknowledge", windows.acknowledge))); "
                + "a bank cannot be required to freeze before it must acknowledge")
    }
}
