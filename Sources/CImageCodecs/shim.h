// CImageCodecs: libpng's simplified API and the TurboJPEG API for Swift. Both report errors by return codes
// (png_image.message, tjGetErrorStr2); the classic longjmp-based APIs are never used, since Swift cannot
// survive a longjmp through its frames. Only the Datasets module imports this.
#ifndef TRIBUTARY_CIMAGECODECS_SHIM_H
#define TRIBUTARY_CIMAGECODECS_SHIM_H
#include <png.h>
#include <turbojpeg.h>

static inline unsigned tributary_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline unsigned tributary_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline unsigned tributary_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline unsigned tributary_png_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline size_t tributary_png_image_size(png_imagep image) { return PNG_IMAGE_SIZE(*image); }
static inline int tributary_png_image_failed(png_imagep image) { return PNG_IMAGE_FAILED(*image); }
static inline int tributary_tj_flag_accuratedct(void) { return TJFLAG_ACCURATEDCT; }
static inline int tributary_tj_flag_stoponwarning(void) { return TJFLAG_STOPONWARNING; }
static inline unsigned tributary_png_flag_16bit_srgb(void) { return PNG_IMAGE_FLAG_16BIT_sRGB; }
static inline const char *tributary_png_image_message(const png_image *image) { return image->message; }
static inline int tributary_tj_pf_rgb(void) { return TJPF_RGB; }
static inline int tributary_tj_err_warning(void) { return TJERR_WARNING; }
static inline int tributary_tj_cs_cmyk(void) { return TJCS_CMYK; }
static inline int tributary_tj_cs_ycck(void) { return TJCS_YCCK; }

#endif
