{
  "targets": [
    {
      "target_name": "zlib_deflate",
      "sources": ["zlib_deflate.c"],
      "cflags": ["-O2"],
      "conditions": [
        ["OS=='linux'", {
          "libraries": ["-l:libz.a"],
          "ldflags": ["-Wl,-Bsymbolic", "-Wl,--exclude-libs,ALL"]
        }],
        ["OS=='mac'", { "libraries": ["-lz"] }]
      ]
    }
  ]
}
