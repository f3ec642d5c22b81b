import NIOHTTP2
import Testing

@testable import TernHTTP2

@Suite("HTTP/2 stream table")
struct HTTP2StreamTableTests {
    final class Box { let id: Int; init(_ id: Int) { self.id = id } }

    @Test("matches a dictionary through random inserts and removals, with collisions and growth")
    func matchesDictionary() {
        var table = HTTP2StreamTable()
        var model: [Int: Box] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            // Odd ids in a window that slides, as a connection's streams do; some far apart
            // land on the same slot of a small table.
            let id = 2 * Int.random(in: (step / 10)...(step / 10 + 300), using: &rng) + 1
            if Bool.random(using: &rng) {
                let box = Box(id)
                table[HTTP2StreamID(id)] = box
                model[id] = box
            } else {
                #expect(table.removeValue(forKey: HTTP2StreamID(id)) === model.removeValue(forKey: id))
            }
            if step % 997 == 0 {
                #expect(table.count == model.count)
                for (k, v) in model { #expect(table[HTTP2StreamID(k)] === v) }
                #expect(Set(table.all.map { ($0 as! Box).id }) == Set(model.keys))
            }
        }
        for k in model.keys { #expect(table[HTTP2StreamID(k)] != nil) }
        #expect(table[HTTP2StreamID(2 * 10_000_000 + 1)] == nil)
    }
}
