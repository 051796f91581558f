import DexterService
import DexterTUI
import Foundation
import Testing

@Suite struct AttachWireTests {
    @Test func inputsGoOverTheWireAndBack() {
        let inputs: [Input] = [.key(.character("a")), .key(.character(" ")), .key(.character("?")), .key(.up), .key(.enter),
                               .key(.backTab), .click(x: 3, y: 7), .wheel(x: 1, y: 2, up: false), .resize]
        for input in inputs { #expect(AttachWire.decode(AttachWire.encode(input)) == .input(input), "\(input)") }
        #expect(AttachWire.decode(AttachWire.size(width: 120, height: 40)) == .size(width: 120, height: 40))
    }

    @Test func malformedLinesAreIgnoredNotGuessed() {
        for line in ["", "key", "key nosuch", "click -1 2", "click 1", "size 0 10", "size 5000 10", "wheel 1 2 sideways", "charx", "char ab"] {
            #expect(AttachWire.decode(line) == nil, "\(line)")
        }
    }

    @Test func aFrameCarriesEveryCellAndItsRole() throws {
        var canvas = Canvas(width: 12, height: 3)
        canvas.box(Rect(x: 0, y: 0, width: 12, height: 3), title: "Risk", focused: true)
        canvas.put("▲ +$1.5", x: 1, y: 1, role: .profit)
        let frame = AttachWire.Frame(canvas)
        let decoded = try JSONDecoder().decode(AttachWire.Frame.self, from: JSONEncoder().encode(frame))
        #expect(decoded.canvas == canvas)
        var broken = frame
        broken.roles[1] = [[10, 5, 0]]
        #expect(broken.canvas == nil)
    }
}
