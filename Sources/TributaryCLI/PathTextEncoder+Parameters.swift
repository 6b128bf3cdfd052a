import ArgumentParser
import InstanceInfusion
import LabelGraphJoining
import Stages

extension PathTextEncoder {
    /// The text encoder `p` (`StageSpec.trainPaths`'s keys) names: the train-text model `text_encoder` and the
    /// corpus `text_corpus` / `text_data` (Debian: section labels, which every package has); nil without one.
    init?(_ p: StageParameters) throws {
        guard !p.isNull("text_encoder") else { return nil }
        let file = try TextModelFile.read(path: p.string("text_encoder"))
        guard let kind = TextCorpusSource.Kind(rawValue: p.string("text_corpus")) else {
            throw ValidationError("--text-encoder needs --text-corpus (the corpus `tributary embed` read)")
        }
        self.init(configuration: file.configuration, parameters: file.parameters, vocabulary: file.vocabulary, maxLength: file.maxLength,
                  stripNewsgroup: file.stripNewsgroup,
                  corpus: TextCorpusSource(kind: kind, path: p.isNull("text_data") ? nil : p.string("text_data")))
    }
}
