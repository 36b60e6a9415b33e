// A client core in a child process for the restart-mid-upload test: signs in, stages the file the parent names,
// sends it as an attachment, and reports its upload progress and credentials over IPC until the parent kills it.
import { ChatClient } from '../../../src/main/core/client'
import { readFileSync } from 'node:fs'

interface ChildArgs {
  serverUrl: string
  dataDir: string
  deviceId: string
  user: string
  password: string
  to: string
  filePath: string
}

const CHUNK = 1024 * 1024

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs
  const client = new ChatClient({ serverUrl: args.serverUrl, deviceId: args.deviceId, dataDir: args.dataDir, platform: 'desktop' })
  await client.login(args.user, args.password)
  process.send?.({ kind: 'credentials', credentials: client.credentials })
  client.on('transfer', (event) => process.send?.({ kind: 'transfer', event }))
  const bytes = readFileSync(args.filePath)
  const { stagedId } = await client.attachments.stageBegin({ name: 'big.bin', mime: 'application/octet-stream', size: bytes.length })
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    await client.attachments.stageChunk({ stagedId, offset, bytes: bytes.subarray(offset, offset + CHUNK) })
  }
  await client.attachments.stageEnd(stagedId)
  const message = await client.sendAttachment({ conversation: args.to, kind: 'file', stagedId })
  process.send?.({ kind: 'stored', messageId: message.id })
}

main().catch((err: unknown) => {
  process.send?.({ kind: 'error', error: String(err) })
  process.exit(1)
})
