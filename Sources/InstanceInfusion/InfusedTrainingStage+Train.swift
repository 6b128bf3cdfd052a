import Core
import Datasets
import Infusion
import NeuralNets
import Retrieval
import Stages
import Storage
import Training

extension InfusedTrainingStage {
    /// What every training run of the stage reads once (the target model, the encoded corpus, this rank's shard of
    /// each source index): the final run and each selection trial (`Selection`) share it.
    struct Loaded {
        var file: TextModelFile
        var model: TextClassifier
        var corpus: TextCorpus
        var data: EncodedTexts
        var forests: [ShardedForest]
    }

    /// Trains the infused model on `indices.train` with `cfg` and scores `indices.test` after every epoch (named
    /// `heldOut` in the log: the test documents, or a selection trial's validation documents); `stop` ends it
    /// early (`Selection`); `selected` is the selection that chose `cfg`'s values, recorded in the model file.
    func train(_ loaded: Loaded, indices: SplitIndices, configuration cfg: Configuration, communicator comm: any Communicator,
               progress: ProgressReporter, heldOut: String = "test", selected: (Selection, Selection.Outcome, [Int])? = nil,
               stop: ([Double]) -> Bool = { _ in false }) throws -> Report {
        let (file, model, corpus, data, forests) = (loaded.file, loaded.model, loaded.corpus, loaded.data, loaded.forests)
        let m = file.configuration.contextSize
        // One buffer: the target model, then W1, b1.
        var layout = model.layout
        let head = InfusedClassifier(.init(contextSize: m, classCount: file.classes.count, neighbours: cfg.neighbours,
                                           sourceCount: cfg.indexes.count, penaltyScale: cfg.penaltyScale),
                                     layout: &layout)
        var initial = Parameters<Float>(layout: layout)
        for i in file.parameters.indices { initial.values[i] = file.parameters[i] }
        var baseline = Parameters<Float>(layout: model.layout)
        baseline.values = file.parameters
        head.initialize(&initial.values, fromBaselineWeight: baseline.value(model.classifier.weight),
                        bias: baseline.value(model.classifier.bias))

        let exact = cfg.retrieval == .exact ? try forests.map(ShardedExactSearch.init) : nil
        let retrieval = SourceRetrieval(model: model, data: data, forests: forests, exact: exact, k: cfg.neighbours,
                                        excludeSelf: cfg.excludeSelf, communicator: comm)
        let train = indices.train, test = indices.test
        // A resumed run takes the ids of its epoch from the checkpoint (restored before the first step).
        let neighbours = NeighbourTable(cfg.resume ? [] : try retrieval.neighbours(of: train, parameters: initial.values))
        // The source rows of this rank's samples in the rest of an epoch (collective: `prepareEpoch` runs on every
        // rank at the start of each epoch, and of a resumed one after the checkpoint's ids are restored).
        func prefetch(_ samples: [Int]) throws { neighbours.rows = try retrieval.rows(neighbours.lists, of: samples) }
        let initialTest = test.isEmpty || heldOut != "test" ? nil : try retrieval.evaluate(head, of: test, parameters: initial.values)
        if let initialTest {
            comm.log0("before training (= the baseline): test accuracy \(fixed(100 * initialTest.accuracy, 2))  "
                + "macro-F1 \(fixed(initialTest.macroF1, 4))")
        }

        let penaltyMeter = PenaltyMeter()
        var trainer = DataParallelTrainer(
            options: cfg.training, communicator: comm, configuration: settings(trainCount: train.count),
            extras: Self.checkpointExtras(neighbours: neighbours, penalty: penaltyMeter, sources: cfg.indexes.count,
                                          documents: train.count, k: cfg.neighbours, communicator: comm,
                                          path: cfg.training.checkpointDirectory ?? "(no checkpoint folder)"))
        trainer.pathAttributes = ["model", "indexes"]  // relative to the checkpoint; an older one's paths as given still match
        // Ordered batch sums (`DataParallelTrainer+Ordered`): the same bits for any rank count at any batch size; the
        // epoch prefetch and the per-step refresh get each rank's block rows from the trainer (`localRows`).
        trainer.orderedBlockSize = DataParallelTrainer.standardOrderedBlockSize
        let clock = ContinuousClock(), start = clock.now
        let result = try trainer.train(
            initial: initial, sampleCount: train.count, resume: cfg.resume,
            lossSum: { samples, parameters in
                let batch = data.batch(samples.map { train[$0] })
                let (c, cache) = model.encodeForTraining(batch, parameters: parameters.values)
                let sources = (0 ..< forests.count).map { j in
                    // Lists of k checked when retrieved; rows prefetched for exactly these samples (`prefetch`).
                    do {
                        return try RetrievedSources.gather(samples.map { neighbours.lists[j][$0] }, from: neighbours.rows[j],
                                                           k: cfg.neighbours)
                    } catch {
                        preconditionFailure("train-infused: a sample's source rows were not prefetched (prefetch runs in the "
                            + "trainer's prepareEpoch, with the epoch's local samples): \(error)")
                    }
                }
                let (loss, headCache) = head.forward(context: c, sources: sources, targets: batch.labels,
                                                     parameters: parameters.values)
                penaltyMeter.add(loss.penalty, documents: samples.count)
                let dC = head.backward(headCache, parameters: parameters.values, into: &parameters.grads)
                model.backwardEncoder(dC, cache, parameters: parameters.values, into: &parameters.grads)
                return loss.total
            },
            // Collective, before the epoch's checkpoint, so the checkpoint holds the curves and the refreshed ids.
            evaluate: { summary, parameters in
                var metrics = ["mean_penalty": try penaltyMeter.epochMean(communicator: comm)]
                if !test.isEmpty {
                    let m = try retrieval.evaluate(head, of: test, parameters: parameters.values)
                    (metrics["test_accuracy"], metrics["test_macro_f1"]) = (m.accuracy, m.macroF1)
                }
                if cfg.refreshUnit == .epochs && (summary.epoch + 1) % cfg.refreshEvery == 0 && summary.epoch + 1 < cfg.training.epochs {
                    neighbours.lists = try retrieval.neighbours(of: train, parameters: parameters.values)
                }
                return metrics
            },
            onEpoch: { summary, _ in
                let meanPenalty = summary.metrics["mean_penalty"] ?? 0
                var line = "epoch \(summary.epoch + 1)/\(cfg.training.epochs)  loss \(fixed(summary.meanLoss, 6))  "
                    + (cfg.penaltyScale > 0 ? "(penalty \(fixed(meanPenalty, 6)))  " : "") + "lr \(summary.learningRate)"
                var record: [(String, MetricValue)] = [("penalty", .double(meanPenalty))]
                if let accuracy = summary.metrics["test_accuracy"], let macroF1 = summary.metrics["test_macro_f1"] {
                    line += "  \(heldOut) accuracy \(fixed(100 * accuracy, 2))  macro-F1 \(fixed(macroF1, 4))"
                    record += [("accuracy", .double(accuracy)), ("macro_f1", .double(macroF1))]
                }
                progress.clear()
                comm.log0(line + "  (\(fixed(start.duration(to: clock.now).inSeconds, 1)) s)")
                progress.epoch(summary.epoch + 1, of: cfg.training.epochs, loss: summary.meanLoss, samples: summary.samples,
                               learningRate: summary.learningRate, extra: record)
            },
            onBatch: progress.tick,
            shouldStop: { history in stop(history.map { $0.metrics["test_accuracy"] ?? 0 }) },
            prepareEpoch: { _, samples in if cfg.refreshUnit == .epochs { try prefetch(samples) } },
            prepareStep: cfg.refreshUnit == .epochs ? nil : { step, batch, local, parameters in  // collective
                try retrieval.refresh(step: step, every: cfg.refreshEvery, batch: batch, local: local, of: train,
                                      into: neighbours, parameters: parameters.values)
            })
        let hash = DataParallelTrainer.hash(result.parameters.values)
        if heldOut != "test" {  // a selection trial: its held-out curve is all the caller needs
            return Report(history: result.history, penaltyHistory: [], initialTest: nil, test: nil, trainCount: train.count,
                          testCount: test.count, parameterHash: hash)
        }
        let finalTest = test.isEmpty ? nil : try retrieval.evaluate(head, of: test, parameters: result.parameters.values)
        if let png = cfg.latentFigure, !test.isEmpty, result.finished {  // Fig. 3 (collective, rank 0 draws)
            try retrieval.drawLatentFigure(of: test, parameters: result.parameters.values, png: png, title: "\(corpus.source)")
        }
        comm.log0("identical-parameter checks passed: \(result.consistencyChecks)")
        comm.log0("parameter hash: \(String(hash, radix: 16))")
        if let finalTest {
            comm.log0("test: accuracy \(fixed(100 * finalTest.accuracy, 2)) %, macro-F1 \(fixed(finalTest.macroF1, 4)) on "
                + "\(finalTest.count) documents (baseline \(fixed(100 * (initialTest?.accuracy ?? 0), 2)) %)")
        }
        // The whole curve from the trainer: a resumed run gets the epochs before the checkpoint from it too.
        var curves = ["mean_loss": result.history.map(\.meanLoss)]
        for name in ["mean_penalty", "test_accuracy", "test_macro_f1"] {
            curves[name] = result.history.compactMap { $0.metrics[name] }
        }
        if comm.isRoot, let out = cfg.outputPath, result.finished {  // Distributed: rank 0 writes the model
            var attributes = cfg.training.checkedAttributes.merging(settings(trainCount: nil)) { a, _ in a }
            attributes["model"] = ArtifactHeader.storedPath(cfg.modelPath, in: out)  // relative to infused.h5
            attributes["indexes"] = ArtifactHeader.storedPaths(cfg.indexes, in: out)
            attributes["epochs"] = .int(cfg.training.epochs)
            attributes["ordered_block"] = .int(DataParallelTrainer.standardOrderedBlockSize)
            if let (selection, outcome, _) = selected { attributes.merge(selection.attributes(outcome)) { _, new in new } }
            if let finalTest {
                attributes["test_accuracy"] = .double(finalTest.accuracy)
                attributes["test_macro_f1"] = .double(finalTest.macroF1)
            }
            if let initialTest {
                attributes["baseline_test_accuracy"] = .double(initialTest.accuracy)
                attributes["baseline_test_macro_f1"] = .double(initialTest.macroF1)
            }
            var infused = InfusedModelFile(parameters: result.parameters.values, encoderParameterCount: model.layout.count,
                                           sourceCount: cfg.indexes.count, attributes: attributes, history: curves,
                                           split: (train.map { data.ids[$0] }, test.map { data.ids[$0] }))
            infused.validationIDs = selected?.2.map { data.ids[$0] } ?? []
            try infused.write(to: out, layout: layout, midway: { FaultInjection.point("write", step: 1, rank: comm.rank, size: comm.size) })
            comm.log0("wrote \(out)")
        }
        return Report(history: result.history, penaltyHistory: curves["mean_penalty"]!, initialTest: initialTest,
                      test: finalTest, trainCount: train.count, testCount: test.count, parameterHash: hash)
    }
}
