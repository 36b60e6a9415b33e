// Owns the store worker thread's start: the thread's CPU priority is lowered before the store's modules load. Their
// compiling (the protobuf codec among them) took ~100 ms of a core at normal priority while the window was loading.
import { parentPort, workerData } from 'node:worker_threads'
import { lowerThisThreadPriority } from './thread-priority'

if (!parentPort) throw new Error('core-store-worker runs only as a worker thread (see worker/worker-store.ts).')
lowerThisThreadPriority()
const { serveStoreWorker } = await import('./store-worker-serve')
serveStoreWorker(parentPort, workerData)
