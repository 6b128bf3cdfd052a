import CImageCodecs
public enum DatasetsPlaceholder { static let v = tributary_png_image_version() }
