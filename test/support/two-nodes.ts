// Owns the two-node cluster the cluster tests run on: two real servers (in this process) on one fresh PostgreSQL
// database and one Redis, and their teardown (servers first, then the database).
import { createTestDatabase, dropTestDatabase } from './test-database'
import { startTestServer, type TestServer } from './test-server'

export interface TwoNodes {
  a: TestServer
  b: TestServer
  databaseUrl: string
  dispose(): Promise<void>
}

export async function startTwoNodes(redisUrl: string): Promise<TwoNodes> {
  const databaseUrl = await createTestDatabase()
  const a = await startTestServer({ databaseUrl, redisUrl })
  const b = await startTestServer({ databaseUrl, redisUrl })
  return {
    a,
    b,
    databaseUrl,
    async dispose() {
      await a.dispose()
      await b.dispose()
      await dropTestDatabase(databaseUrl)
    }
  }
}
