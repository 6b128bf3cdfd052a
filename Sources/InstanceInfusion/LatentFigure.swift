import Core
import Distributed
import Foundation
import Infusion
import LinearAlgebra
import Stages
import Statistics

/// The latent-space figure of instance infusion (paper Fig. 3): a 2-D t-SNE map of the test documents' target
/// context vectors c_t (red) and the source vectors z_s their attention fused from the retrieved neighbours (blue).
///
///     c_t (n, M) = f_θ(x_t)                     the trained infused encoder, test documents of the split
///     z_s (n, M) = Σ_i α_i z_i, α = softmax_i(c_t · z_i)   over the k retrieved rows of the FIRST source index
///     Y (2n, 2)  = t-SNE([c_t; z_s])            `TSNE` (exact; perplexity min(30, (2n − 2)/3 − 1), seed 0)
///
/// The paper plots "LSTM latent space vectors (in red) and instance-infused embeddings (in blue)" for one
/// target/source pair; it does not say more precisely what was projected. Here both clouds share one map, so
/// how far the fused source vectors sit from the document vectors (what the penalty λ‖z_s − c_t‖² pulls
/// together) is visible. Files: `<png>.dat` (x, y, 0 = c_t / 1 = z_s, class index), `<png>.gp`, the PNG, and the
/// map's trustworthiness (k = 5, `Trustworthiness`) in the returned summary.
public enum LatentFigure {
    /// What was drawn: points per cloud, the perplexity used and T(5) of the map.
    public struct Summary: Sendable, Equatable {
        public var documents: Int
        public var perplexity: Double
        public var trustworthiness: Double
        public var rendered: Bool
    }

    /// t-SNE of [c; z] (both (n, M)), written as `png` (+ .dat, .gp); `classes[i]` is document i's class.
    public static func write(context c: Matrix<Float>, fused z: Matrix<Float>, classes: [Int], png: String,
                             title: String) throws -> Summary {
        let n = c.rows, m = c.columns
        let x = c.values.map(Double.init) + z.values.map(Double.init)
        let perplexity = min(30, Double(2 * n - 2) / 3 - 1)
        let y = try TSNE(perplexity: perplexity, iterations: 1000, seed: 0).embed(x, dimensions: m)
        let trust = 2 * n > 10 ? Trustworthiness.score(input: x, dimensions: m, map: y, mapDimensions: 2, k: 5) : .nan
        let base = String(png.dropLast(4))
        let rows = (0 ..< 2 * n).map { i in "\(y[2 * i])\t\(y[2 * i + 1])\t\(i < n ? 0 : 1)\t\(classes[i % n])" }
        try (rows.joined(separator: "\n") + "\n").write(toFile: base + ".dat", atomically: true, encoding: .utf8)
        let script = """
            set terminal png size 720,620
            set output '\(png)'
            set title "\(RunnerPlot.quoted(title))"
            set key below
            set size ratio -1
            unset xtics
            unset ytics
            plot '\(base).dat' using ($3 == 0 ? $1 : 1/0):2 with points pt 7 ps 0.8 lc rgb "#d62728" title "c_t (target documents)", \\
                 '' using ($3 == 1 ? $1 : 1/0):2 with points pt 9 ps 0.8 lc rgb "#1f77b4" title "z_s (fused retrieved source vectors)"

            """
        try script.write(toFile: base + ".gp", atomically: true, encoding: .utf8)
        return Summary(documents: n, perplexity: perplexity, trustworthiness: trust, rendered: RunnerPlot.render(script: base + ".gp", png: png))
    }
}

extension InfusedTrainingStage.SourceRetrieval {
    /// c_t and z_s (first source) of the documents `indices`, whole on every rank (collective).
    func latents(of indices: [Int], parameters: [Float]) throws -> (context: Matrix<Float>, fused: Matrix<Float>) {
        let comm = communicator, m = model.configuration.contextSize
        let (c, mine) = try contexts(indices, parameters: parameters)
        let lists = try search(c, indices)
        let table = try rows(lists, of: Array(mine))[0]
        var local: [Float] = []
        if !mine.isEmpty {
            let mineC = Matrix(rows: mine.count, columns: m, values: Array(c.values[mine.lowerBound * m ..< mine.upperBound * m]))
            let sources = try RetrievedSources.gather(Array(lists[0][mine]), from: table, k: k)
            local = SourceAttention(neighbours: k, contextSize: m).forward(context: mineC, sources: sources).0.values
        }
        let all = try comm.allGather(local).flatMap { $0 }  // Distributed: rank order = document order
        return (c, Matrix(rows: indices.count, columns: m, values: all))
    }

    /// `latents` of the documents `indices` (collective), then rank 0 writes `LatentFigure` to `png` and logs it.
    func drawLatentFigure(of indices: [Int], parameters: [Float], png: String, title: String) throws {
        let (c, z) = try latents(of: indices, parameters: parameters)
        guard communicator.isRoot else { return }
        let figure = try LatentFigure.write(context: c, fused: z, classes: indices.map { data.labels[$0] }, png: png,
                                            title: "\(title): c_t and z_s of \(indices.count) test documents (t-SNE)")
        communicator.log0("latent figure: t-SNE of \(2 * figure.documents) vectors (perplexity \(fixed(figure.perplexity, 1))), "
            + "trustworthiness T(5) \(fixed(figure.trustworthiness, 3)) → " + (figure.rendered ? png : "\(png) not drawn (no gnuplot); data in .dat"))
    }
}
