import LinearAlgebra

/// A grid that splits an image into `columns × rows` regions (Lazebnik et al. 2006; Mensink et al. 2010 §2.3).
///
/// Boundary rule for a descriptor at (x, y) in a W×H image:
///
///     column = min(max(⌊x / W · columns⌋, 0), columns − 1),   row = min(max(⌊y / H · rows⌋, 0), rows − 1)
///     region = row · columns + column                            (row-major over the grid)
///
/// so a descriptor exactly on an inner boundary goes to the right/lower region, and one on the far edge
/// (x = W or y = H) to the last. "1x3" is 1 column × 3 rows: the top, middle and bottom strips of the paper.
public struct SpatialLayout: Sendable, Hashable, CustomStringConvertible {
    public let columns: Int
    public let rows: Int

    public init(columns: Int, rows: Int) {
        precondition(columns >= 1 && rows >= 1, "SpatialLayout: \(columns)×\(rows) must have at least one region")
        self.columns = columns
        self.rows = rows
    }

    /// 1x1: the whole image.
    public static let whole = SpatialLayout(columns: 1, rows: 1)
    /// 2x2: the four quadrants (top-left, top-right, bottom-left, bottom-right).
    public static let quadrants = SpatialLayout(columns: 2, rows: 2)
    /// 1x3: top, middle and bottom strips.
    public static let horizontalStrips = SpatialLayout(columns: 1, rows: 3)
    /// The paper's 8 regions: 1x1, 2x2, 1x3.
    public static let standard: [SpatialLayout] = [.whole, .quadrants, .horizontalStrips]

    public var regionCount: Int { columns * rows }
    /// "columns x rows", e.g. "1x3".
    public var description: String { "\(columns)x\(rows)" }

    /// The region of a descriptor at (x, y) in a `width`×`height` image (see the boundary rule).
    public func region(x: Float, y: Float, width: Float, height: Float) -> Int {
        func cell(_ v: Float, _ extent: Float, _ count: Int) -> Int {
            let raw = (v / extent * Float(count)).rounded(.down)
            guard raw.isFinite else { return 0 }
            return Swift.min(Swift.max(Int(raw), 0), count - 1)
        }
        return cell(y, height, rows) * columns + cell(x, width, columns)
    }
}

/// Fisher vectors over spatial pyramids: one FV per region of every layout, each normalised independently.
///
/// Every region's FV is exactly the FV of the descriptors inside it (its own T, its own normalisation); an
/// empty region gives the zero vector (never NaN). Posteriors are computed once per image; descriptors are
/// grouped by their tuple of regions (the common refinement of all layouts, ≤ 8 non-empty cells for the
/// standard layouts), the moments are computed once per cell (one GEMM each), and a region's moments are the
/// sum of its cells'.
///
/// Shapes: descriptors (T, D); positions x, y (T each, pixels); result `vectors[l]` has
/// `layouts[l].regionCount · 2MD` Floats: region 0's FV, then region 1's, … (regions row-major over the grid).
public struct SpatialPyramid: Sendable {
    public let layouts: [SpatialLayout]

    public init(layouts: [SpatialLayout] = SpatialLayout.standard) {
        self.layouts = layouts
    }

    /// Σ regionCount over the layouts (8 for the standard pyramid).
    public var regionCount: Int { layouts.reduce(0) { $0 + $1.regionCount } }

    /// The FVs of one image, one array per layout.
    public struct Vectors: Sendable, Equatable {
        public let layouts: [SpatialLayout]
        /// vectors[l] = the concatenated region FVs of layouts[l].
        public let vectors: [[Float]]

        /// The FVs of the given layouts concatenated in the order given (e.g. all of them: early fusion).
        public func combined(_ selection: [SpatialLayout]? = nil) -> [Float] {
            (selection ?? layouts).flatMap { layout -> [Float] in
                guard let l = layouts.firstIndex(of: layout) else {
                    preconditionFailure("SpatialPyramid.Vectors: layout \(layout) was not encoded")
                }
                return vectors[l]
            }
        }
    }

    /// Encodes one image.
    public func encode(
        _ descriptors: Matrix<Float>, x: [Float], y: [Float], imageWidth: Float, imageHeight: Float,
        encoder: FisherEncoder, normalization: FisherVector.Normalization = .improved,
        workspace: inout FisherEncoder.Workspace
    ) -> Vectors {
        let t = descriptors.rows, dim = descriptors.columns
        precondition(x.count == t && y.count == t, "SpatialPyramid: \(t) descriptors but \(x.count)/\(y.count) positions")
        // Cell key = the regions of every layout in mixed radix.
        var keys = [Int](repeating: 0, count: t)
        var radix = 1
        for layout in layouts {
            for i in 0 ..< t {
                keys[i] += radix * layout.region(x: x[i], y: y[i], width: imageWidth, height: imageHeight)
            }
            radix *= layout.regionCount
        }
        // Stable counting sort of the descriptors by key: cells become runs of rows.
        let used = Array(Set(keys)).sorted()
        var cellOf = [Int: Int]()
        for (c, key) in used.enumerated() { cellOf[key] = c }
        var starts = [Int](repeating: 0, count: used.count + 1)
        for key in keys { starts[cellOf[key]! + 1] += 1 }
        for c in 0 ..< used.count { starts[c + 1] += starts[c] }
        var next = starts
        var sorted = Matrix<Float>(rows: t, columns: dim)
        for i in 0 ..< t {
            let c = cellOf[keys[i]]!
            let r = next[c]
            next[c] += 1
            for d in 0 ..< dim { sorted.values[r * dim + d] = descriptors.values[i * dim + d] }
        }
        let cells = encoder.moments(sorted, groupBoundaries: starts, workspace: &workspace)
        // Sum cells into regions and encode every region.
        let m = encoder.mixture.components
        var vectors: [[Float]] = []
        radix = 1
        for layout in layouts {
            var regions = [FisherMoments](repeating: FisherMoments(components: m, dimension: dim),
                                          count: layout.regionCount)
            for (c, key) in used.enumerated() { regions[(key / radix) % layout.regionCount] += cells[c] }
            var out: [Float] = []
            out.reserveCapacity(layout.regionCount * encoder.dimension)
            for region in regions {
                var fv = encoder.vector(region)
                FisherVector.normalize(&fv, normalization)
                out.append(contentsOf: fv)
            }
            vectors.append(out)
            radix *= layout.regionCount
        }
        return Vectors(layouts: layouts, vectors: vectors)
    }
}
