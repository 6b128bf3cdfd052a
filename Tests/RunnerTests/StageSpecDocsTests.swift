import Foundation
import FisherAnnotation
import InstanceInfusion
import LabelGraphJoining
import Runner
import StageRegistry
import Stages
import XCTest

/// `data/pipelines/README.md` documents every stage type's parameters in a section generated from the stage specs;
/// this test fails when the two differ (regenerate with `TRIBUTARY_WRITE_DOCS=1`).
final class StageSpecDocsTests: XCTestCase {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/pipelines/README.md").path

    func testTheReadmeDocumentsEveryStageParameter() throws {
        let text = try String(contentsOfFile: Self.readme, encoding: .utf8)
        let begin = try XCTUnwrap(text.range(of: StageSpecMarkdown.begin), "README lacks the generated section's begin marker")
        let end = try XCTUnwrap(text.range(of: StageSpecMarkdown.end), "README lacks the generated section's end marker")
        let expected = "\n\n" + StageSpecMarkdown.document(StageRegistry.all)
        let found = String(text[begin.upperBound ..< end.lowerBound])
        if found != expected, ProcessInfo.processInfo.environment["TRIBUTARY_WRITE_DOCS"] == "1" {
            try (String(text[..<begin.upperBound]) + expected + String(text[end.lowerBound...]))
                .write(toFile: Self.readme, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(found, expected, "data/pipelines/README.md is out of date: TRIBUTARY_WRITE_DOCS=1 swift test --filter StageSpecDocsTests")
    }

    /// Every parameter has help, every key appears once per stage, and every default passes its own rules.
    func testEverySpecIsWellFormed() {
        for type in StageRegistry.all {
            XCTAssertEqual(Set(type.spec.keys).count, type.spec.keys.count, "\(type.name): duplicate keys")
            for p in type.spec.parameters {
                XCTAssertFalse(p.help.isEmpty, "\(type.name).\(p.key) has no help")
                if p.defaultValue != .null, case .failure = p.check(p.defaultValue) {
                    XCTFail("\(type.name).\(p.key): the default \(p.defaultValue.canonical) breaks its own rule")
                }
            }
        }
    }
}
