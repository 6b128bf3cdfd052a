import CImageCodecs

/// JPEG → `RGBImage` through the TurboJPEG API, which reports errors by return code (`tjGetErrorStr2`,
/// `tjGetErrorCode`), never by `longjmp` through Swift frames as libjpeg's classic API would.
///
/// Recipe: `tjInitDecompress` → `tjDecompressHeader3` (size, colour space) → size and memory-budget guards →
/// `tjDecompress2` into 8-bit RGB (`TJPF_RGB`; gray JPEGs come out R = G = B) → v / 255. Baseline and
/// progressive JPEGs, any chroma subsampling.
///
/// Numerical notes:
/// - `TJFLAG_STOPONWARNING`: libjpeg treats a file that ends early as a *warning* and fills the rest with gray;
///   this decoder refuses it instead, so a truncated download never becomes a half-gray training image.
/// - `TJFLAG_ACCURATEDCT`: the integer "slow" IDCT, the same on every machine.
/// - Truncation: a failed decode of data that does not end with the EOI marker (FF D9) is reported as
///   `ImageError.truncated`; any other failure is `.corrupt` with TurboJPEG's text.
/// - CMYK / YCCK JPEGs are refused (`.unsupportedColorSpace`): TurboJPEG cannot convert them to RGB.
/// - EXIF orientation is applied (`EXIFOrientation`, read from the APP1 segment without trusting any offset):
///   the 8-bit samples are moved upright before v / 255, in place of the decoded buffer, so the memory reserved
///   above still covers the decode. A file without EXIF, with orientation 1 or with an EXIF block that cannot be
///   trusted decodes bit for bit as before.
enum JPEGDecoder {
    static func decode(_ data: UnsafeRawBufferPointer, name: String, extraBytesPerPixel: Int = 0) throws(ImageError) -> RGBImage {
        guard let handle = tjInitDecompress() else {
            throw .unreadable(path: name, reason: "TurboJPEG could not start: \(String(cString: tjGetErrorStr2(nil)))")
        }
        defer { tjDestroy(handle) }
        let jpeg = data.bindMemory(to: UInt8.self)
        let size = UInt(jpeg.count)

        var w: Int32 = 0, h: Int32 = 0, subsampling: Int32 = 0, colorSpace: Int32 = 0
        guard tjDecompressHeader3(handle, jpeg.baseAddress, size, &w, &h, &subsampling, &colorSpace) == 0 else {
            throw failure(handle, jpeg, name: name)
        }
        if colorSpace == tributary_tj_cs_cmyk() || colorSpace == tributary_tj_cs_ycck() {
            throw .unsupportedColorSpace(path: name, colorSpace: colorSpace == tributary_tj_cs_cmyk() ? "CMYK" : "YCCK")
        }
        let width = Int(w), height = Int(h)
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)  // header numbers: checked, never trap
        guard !overflow, pixels <= RGBImage.maxPixelCount else {
            throw .tooLarge(path: name, width: width, height: height)
        }
        try ImageDecoder.reserveMemory(width: width, height: height, decodedBytesPerPixel: 3,
                                       extraBytesPerPixel: extraBytesPerPixel, name: name)

        let flags = tributary_tj_flag_stoponwarning() | tributary_tj_flag_accuratedct()
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let status = rgb.withUnsafeMutableBufferPointer { out in
            tjDecompress2(handle, jpeg.baseAddress, size, out.baseAddress, w, 0, h, tributary_tj_pf_rgb(), flags)
        }
        guard status == 0 else { throw failure(handle, jpeg, name: name) }
        let upright = orientedInterleaved(rgb, width: width, height: height, channels: 3,
                                          EXIFOrientation.read(jpegBytes: data))
        rgb = []  // the stored layout is no longer needed: at most two 8-bit buffers live at once
        return RGBImage(width: upright.width, height: upright.height,
                        pixels: unitRGB(fromInterleaved: upright.pixels, channels: 3))
    }

    private static func failure(_ handle: tjhandle, _ jpeg: UnsafeBufferPointer<UInt8>, name: String) -> ImageError {
        let endsWithEOI = jpeg.count >= 2 && jpeg[jpeg.count - 2] == 0xFF && jpeg[jpeg.count - 1] == 0xD9
        if !endsWithEOI { return .truncated(path: name) }
        let message = String(cString: tjGetErrorStr2(handle))
        let kind = tjGetErrorCode(handle) == tributary_tj_err_warning() ? " (a warning, refused)" : ""
        return .corrupt(path: name, message: message + kind)
    }
}
