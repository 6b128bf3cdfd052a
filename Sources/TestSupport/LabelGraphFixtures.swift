/// Label-graph texts (`data/label-graphs/FORMAT.md`) that fixtures in several test targets are built on, written
/// once here.
public enum LabelGraphFixtures {
    /// A two-level joined graph: coarse labels A, B (dataset `coarse`) over fine labels a1 a2 b1 b2 (`fine`).
    public static let twoLevel = """
        node root root
        node A label datasets=coarse
        node B label datasets=coarse
        node a1 label datasets=fine
        node a2 label datasets=fine
        node b1 label datasets=fine
        node b2 label datasets=fine
        edge root A B
        edge A a1 a2
        edge B b1 b2
        """
}
