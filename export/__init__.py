"""Build-time code: assembles the static site, exports TinyVGG to ONNX, pretrains GAN presets."""
