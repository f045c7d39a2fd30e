import NightjarCore
import Testing
@testable import Console

/// Server text in scripts and symbols a terminal draws two cells wide (漢字, 🚀): the buffer counts
/// them as the terminal does, so borders and columns stay where they are.
@Suite struct WideCharacterTests {
    /// A reason with 漢字 and an emoji in the events panel, shifted one cell at a time so a wide
    /// character lands on every cell next to the border: the right border stays in its column.
    @Test(arguments: [(80, 24), (160, 48)])
    func eventsPanelKeepsItsRightBorderWithWideCharacters(width: Int, height: Int) {
        for shift in 0..<4 {
            var state = Fixtures.loadedState(width: width, height: height)
            let reason = String(repeating: "x", count: shift) + "fraud: rollback, 漢字の説明 🚀 canary 1.1.0 answered 500 for 漢字 🚀🚀 "
                + String(repeating: "漢", count: 80)
            _ = reduce(&state, .eventsLoaded(.success([Fixtures.event(5, .rollback, secondsAgo: 1, actor: "bob", reason)])))
            press(&state, .character(":"))
            type(&state, "events")
            press(&state, .enter)
            let buffer = Screen.render(state)
            // The panel's row (the alert banner above says it too, unframed).
            let rows = (0..<buffer.height).filter { y in
                buffer[0, y].character == "│" && (0..<buffer.width).contains { buffer[$0, y].character == "説" }
            }
            #expect(rows.count == 1, "shift \(shift): \(buffer.text())")
            for y in rows {
                #expect(buffer[width - 1, y] == Cell("│", .title) || buffer[width - 1, y] == Cell("│", .border),
                        "shift \(shift): the border moved: \(buffer.text())")
                // As the terminal shows it: the line is exactly the screen wide and ends in the border.
                let line = buffer.text().split(separator: "\n", omittingEmptySubsequences: false)[y]
                #expect(DisplayWidth.of(String(line)) == width && line.hasSuffix("│"), "shift \(shift): \(line)")
            }
        }
    }

    /// The alert banner cuts a wide alert text by cells, so how many more alerts there are still shows.
    @Test func alertBannerKeepsItsCountWithAWideText() {
        var state = Fixtures.loadedState(width: 80, height: 24)
        let reason = "漢字の説明 🚀 " + String(repeating: "漢", count: 60)
        _ = reduce(&state, .eventsLoaded(.success([Fixtures.event(5, .rollback, secondsAgo: 1, actor: "bob", reason)])))
        let banner = String(Screen.render(state).text().split(separator: "\n")[1])
        #expect(banner.hasSuffix("…  (+2 more)"), "\(banner)")
        #expect(DisplayWidth.of(banner) <= 80, "\(banner)")
    }

    @Test func putCountsAWideCharacterAsTwoCellsAndCutsItWhole() {
        var buffer = CellBuffer(width: 6, height: 1)
        #expect(buffer.put("a漢b", x: 0, y: 0) == 4)
        #expect(buffer.text() == "a漢b")
        #expect(buffer[1, 0].character == "漢" && buffer[2, 0].isContinuation && buffer[3, 0].character == "b")
        // Two cells left before the limit take 漢; one cell left does not take half of it.
        var cut = CellBuffer(width: 6, height: 1)
        #expect(cut.put("ab漢c", x: 0, y: 0, maxWidth: 3) == 2)
        #expect(cut.text() == "ab")
        #expect(cut.put("🚀🚀🚀🚀", x: 1, y: 0) == 4)
        #expect(cut.text() == "a🚀🚀")
    }

    /// A border or a narrower text written over half of a wide character blanks the other half,
    /// rather than leaving half a character the terminal cannot draw.
    @Test func overwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var buffer = CellBuffer(width: 6, height: 1)
        buffer.put("漢字", x: 0, y: 0)
        buffer[1, 0] = Cell("│", .border)
        #expect(buffer.text() == " │字")
        buffer.put("z", x: 2, y: 0)
        #expect(buffer.text() == " │z")
        #expect(!buffer.cells.contains { $0.isContinuation })
    }

    /// `--ascii` turns a wide character into one `?`; the cell after it becomes a blank the renderer writes.
    @Test func asciiFallbackLeavesNoContinuationBehind() {
        var buffer = CellBuffer(width: 6, height: 1)
        buffer.put("a漢b", x: 0, y: 0)
        AsciiFallback.apply(&buffer)
        #expect(buffer.text() == "a? b")
        #expect(!buffer.cells.contains { $0.isContinuation })
    }

    /// Model and endpoint names in a padded column take their display width, so the columns after
    /// them stay aligned.
    @Test func paddedColumnsCountWideCharactersTwice() {
        #expect(Format.pad("漢字ab", 6) == "漢字ab")
        #expect(Format.pad("漢字ab", 5) == "漢字a")
        #expect(Format.pad("漢字", 3) == "漢 ")
        #expect(DisplayWidth.of(Format.pad("🚀x", 4, right: true)) == 4)
    }
}
