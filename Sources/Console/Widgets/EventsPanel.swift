import Foundation
import NightjarCore

/// The timeline, newest first: when, what, which endpoint, who, and the message saying why.
enum EventsPanel {
    /// `scrolls` false pins the newest events at the top whatever is selected elsewhere: the
    /// overview's read-only panel.
    static func render(_ state: AppState, title: String, focused: Bool, scrolls: Bool = true, into buffer: inout CellBuffer, area: Rect) {
        guard area.height >= 3 else { return }
        let events = state.shownEvents
        var text = "\(title) (\(events.count))"
        if !state.filter.isEmpty { text += " /\(state.filter)" }
        let inner = PanelFrame.draw(text, feed: state.eventsFeed, focused: focused, into: &buffer, area: area)
        guard inner.height >= 1, inner.width >= 10 else { return }
        let wide = inner.width >= 100
        let kindWidth = wide ? 19 : 14
        let endpointWidth = wide ? 14 : 10
        let actorWidth = wide ? 14 : 10
        buffer.put(" " + Format.pad("TIME", 8) + " " + Format.pad("EVENT", kindWidth) + " " + Format.pad("ENDPOINT", endpointWidth)
                   + " " + Format.pad("BY", actorWidth) + " WHAT", x: inner.x, y: inner.y, role: .muted, maxWidth: inner.width)
        if events.isEmpty {
            if state.eventsFeed.lastSuccess == nil && state.eventsFeed.failure != nil {
                PanelFrame.unavailable(state.eventsFeed, what: "events", into: &buffer,
                                       area: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1))
            } else {
                buffer.put(state.eventsFeed.lastSuccess == nil ? "loading events…" : "no events yet", x: inner.x + 2,
                           y: inner.y + 1, role: .muted, maxWidth: inner.width - 2)
            }
            return
        }
        let visible = inner.height - 1
        guard visible > 0 else { return }
        let first = scrolls ? max(0, min(state.selectedEvent - visible + 1, events.count - visible)) : 0
        let end = inner.x + inner.width
        for (offset, event) in events.dropFirst(first).prefix(visible).enumerated() {
            let y = inner.y + 1 + offset
            var x = inner.x + 1
            x += buffer.put(Format.pad(Format.clock(event.at), 8) + " ", x: x, y: y, role: .muted, maxWidth: end - x)
            x += buffer.put(Format.pad(event.kind.rawValue, kindWidth) + " ", x: x, y: y, role: role(event.kind), maxWidth: end - x)
            x += buffer.put(Format.pad(event.endpoint ?? "-", endpointWidth) + " ", x: x, y: y, maxWidth: end - x)
            x += buffer.put(Format.pad(event.actor, actorWidth) + " ", x: x, y: y, role: .muted, maxWidth: end - x)
            buffer.put(event.message, x: x, y: y, maxWidth: end - x)
            if focused && first + offset == state.selectedEvent {
                buffer.paint(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selected)
            }
        }
    }

    /// What kind of news an event is, by role: the alerting ones stand out.
    static func role(_ kind: ControlEvent.Kind) -> Role {
        switch kind {
        case .rollback, .rolloutRolledBack, .workerLost: .critical
        case .rolloutAborted, .rolloutPaused, .workerLeft: .warn
        case .rolloutPromoted, .workerJoined: .ok
        case .rolloutStarted, .rolloutStep, .rolloutResumed, .trafficChanged: .canary
        case .versionPushed, .aliasMoved: .text
        }
    }
}
