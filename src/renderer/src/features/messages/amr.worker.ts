// The AMR decoder's worker: opencore-amr (compiled to asm.js, ~1 MB) decodes here, off the page's thread. The
// package's worker script installs its own onmessage: {command:'decode', buffer} -> {command:'decode', amr: samples}.
import installAmrWorker from 'benz-amr-recorder/src/amrnb.js'

installAmrWorker()
