import CHDF5
public enum StoragePlaceholder { static func f() { tributary_h5_silence_errors() } }
