{
  # The native classifier kernel (see native/classifier.c). Release builds are already -O3
  # (node's common.gypi: cflags -O3, Xcode GCC_OPTIMIZATION_LEVEL 3, MSVC /Ox); nothing here
  # targets the build machine's CPU, so the binary runs on any host of its architecture.
  "targets": [
    {
      "target_name": "pnyx_native",
      "sources": ["native/classifier.c"],
      "cflags_c": ["-std=c11"],
      "xcode_settings": { "GCC_C_LANGUAGE_STANDARD": "c11" }
    }
  ]
}
