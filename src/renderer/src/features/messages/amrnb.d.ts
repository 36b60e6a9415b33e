// Types of the one file used from benz-amr-recorder: its opencore-amr worker script, a function that, run inside
// a worker, installs `self.onmessage` for {command: 'decode', buffer} and {command: 'encode', samples, sampleRate}.
declare module 'benz-amr-recorder/src/amrnb.js' {
  const installAmrWorker: () => void
  export default installAmrWorker
}
