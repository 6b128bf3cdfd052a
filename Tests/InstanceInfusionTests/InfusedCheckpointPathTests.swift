import Core
import Foundation
import InstanceInfusion
import Storage
import TestSupport
import Training
import XCTest

/// `train-infused`'s checkpoint stores `model` and `indexes` relative to the checkpoint file, like every header
/// path; a checkpoint with the paths as given (what earlier builds wrote) still resumes to the same bits.
extension InfusedTrainingTests {
    func testTheCheckpointStoresModelAndIndexesRelativeToItselfAndOldOnesResume() throws {
        let p = try prepare()
        func configuration(stopAfter: Int?, resume: Bool, name: String) throws -> InfusedTrainingStage.Configuration {
            try resumable(infused(p.target, p.model, p.one, epochs: 2), checkpoint: path("\(name)/checkpoint"),
                          output: path("\(name)/infused.h5"), stopAfter: stopAfter, resume: resume)
        }
        let whole = try configuration(stopAfter: nil, resume: false, name: "whole")
        _ = try InfusedTrainingStage(whole).run(communicator: SingleProcessCommunicator())
        let reference = try InfusedModelFile.read(path: whole.outputPath!).parameters

        let stopped = try configuration(stopAfter: 3, resume: false, name: "relative")
        _ = try InfusedTrainingStage(stopped).run(communicator: SingleProcessCommunicator())
        let checkpoint = stopped.training.checkpointDirectory! + "/" + DataParallelTrainer.checkpointFileName
        let file = try HDF5File.open(path: checkpoint, mode: .readWrite)
        let model = try file.attribute("model", as: String.self), indexes = try file.attribute("indexes", as: [String].self)
        XCTAssertFalse(model.hasPrefix("/"), model)
        XCTAssertTrue(indexes.allSatisfy { !$0.hasPrefix("/") }, "\(indexes)")
        func standard(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        XCTAssertEqual(standard(ArtifactHeader.resolvedPath(model, in: checkpoint)), standard(p.model))
        XCTAssertEqual(indexes.map { standard(ArtifactHeader.resolvedPath($0, in: checkpoint)) }, [standard(p.one)])
        // What an earlier build wrote: the paths as given (absolute here).
        try file.setAttribute("model", p.model)
        try file.setAttribute("indexes", [p.one])
        try file.close()
        _ = try InfusedTrainingStage(try configuration(stopAfter: nil, resume: true, name: "relative"))
            .run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(try InfusedModelFile.read(path: path("relative/infused.h5")).parameters, reference)
    }
}
