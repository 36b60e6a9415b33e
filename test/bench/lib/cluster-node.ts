// Owns one node of bench:cluster in its own process: a real server on loopback with the options the bench gives
// (PostgreSQL + Redis for a cluster node, or a SQLite data folder), its address reported over IPC, closed on request.
import { startServer, type ServerHandle } from '../../../src/server/index'

export interface ClusterNodeInit {
  dataDir: string
  databaseUrl?: string
  redisUrl?: string
}

export type ClusterNodeMessage = { type: 'listening'; url: string; nodeId: string } | { type: 'closed' }

let server: ServerHandle | null = null

async function closeAndExit(): Promise<void> {
  await server?.close()
  process.send?.({ type: 'closed' } satisfies ClusterNodeMessage)
  process.exit(0)
}

async function main(): Promise<void> {
  const init = JSON.parse(process.argv[2] ?? '{}') as ClusterNodeInit
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: init.dataDir,
    databaseUrl: init.databaseUrl,
    redisUrl: init.redisUrl,
    // 1,000 sign-ins from one address would meet the per-address limit; the bench measures messaging.
    attemptLimits: { address: { freeAttempts: Infinity } }
  })
  process.send?.({ type: 'listening', url: server.url, nodeId: server.nodeId } satisfies ClusterNodeMessage)
  process.on('message', (message) => {
    if (message === 'close') void closeAndExit()
  })
  process.on('disconnect', () => void closeAndExit())
}

main().catch((err: unknown) => {
  console.error('cluster node failed to start:', err)
  process.exit(1)
})
