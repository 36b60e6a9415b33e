// Owns the reference server's public entry point: startServer wires store, auth, HTTP app server and
// WebSocket gateway together and returns a handle that shuts them down in order.
import type { AddressInfo } from 'node:net'
import { CloseCode } from '../shared/proto/codec'
import { createLogger } from '../shared/logger'
import { createAppServer } from './api/app-server'
import { createAttemptLimiter } from './auth/attempt-limits'
import { createAppCredentials } from './auth/app-credential'
import { createPlatformService } from './api/platform/service'
import { startAuthCleanup } from './auth/cleanup'
import { createTokenService, endingSessionsOnReplay } from './auth/tokens'
import { GOING_AWAY_WINDOW_MS, maxUploadBytes, resolveConfig } from './config'
import { createAttachmentService, type AttachmentService } from './services/attachments/service'
import { attachmentGraceMsFromEnv, uploadAbandonMsFromEnv } from './services/attachments/config'
import type { ServerOptions } from './options'
import { attachGateway, WS_PATH } from './gateway/ws-gateway'
import { OnlineRegistry } from './gateway/online-registry'
import { createAccountDeparture, createAccountService } from './services/accounts'
import { createMessageService } from './services/messages'
import { createMessageOpsService } from './services/message-ops'
import { createSyncService } from './services/sync'
import { createGroupsService } from './services/groups'
import { createContactsService } from './services/contacts'
import { contactsConfigFromEnv } from './services/contacts/config'
import { createProfilesService } from './services/profiles'
import { createRoomService } from './services/rooms/service'
import { createReactionsService } from './services/reactions'
import { createDevicesService } from './services/devices'
import { createReceiptsService } from './services/receipts'
import type { RoomStats } from './services/rooms/membership'
import { openRoomLiveState } from './services/rooms/live-redis'
import { clusterPresenceTtlMsFromEnv, LOG_TRIM_INTERVAL_MS, retentionCutoff, storageConfigFromEnv } from './config'
import type { StoreStats } from './store/types'
import { openServerStore } from './store/worker-store'
import { connectRedisBus, createLocalBus, type BusStats } from './cluster/bus'
import { createClusterDelivery, localDelivery } from './cluster/delivery'
import { createClusterPresence } from './cluster/presence'
import type { LiveConnections } from './services/fanout'
import { checkDatabase } from './cluster/preflight'
import { countedSends, timedStore } from './ops/metrics'
import { createNodeOps, nodeOpsSettings } from './ops/node-ops'

const log = createLogger('server')

export interface ServerHandle {
  readonly url: string // e.g. 'http://127.0.0.1:43567' (ws endpoint is url with ws:// + '/ws')
  readonly port: number
  close(): Promise<void> // closes every socket with CloseCode.CLOSE_SERVER_RESTART, then the db
  /**
   * SIGTERM's drain: /readyz answers 503 at once, new sockets are refused, queued sends are committed and acked,
   * every client is closed with CLOSE_MOVE_NOW (reconnect to the next gateway now), then the node closes.
   */
  drain(): Promise<void>
  /** The writer connection's diagnostics (synchronous mode, fsync time, messages per commit). */
  storeStats(): Promise<StoreStats>
  /** The cross-node bus's counters (all 0 on a single node). */
  busStats(): BusStats
  /** This node's id on the bus (random per start). */
  readonly nodeId: string
  /** Rows in every table of the store, by table (tests and bench:fanout count rows written per group message). */
  storeRowCounts(): Promise<Record<string, number>>
  /** Room fan-out counters on this node: frames dropped for slow sockets, sockets lagging, largest backlog left. */
  roomStats(): RoomStats
  /** Runs the attachment collection now (tests; it also runs every ATTACHMENT_COLLECT_INTERVAL_MS); returns how many went. */
  collectAttachments(now?: number): Promise<number>
  /** Whether an attachment's bytes (file, thumbnail) are still in the server's storage (tests of the clean-up). */
  attachmentBytesPresent(id: string): Promise<{ file: boolean; thumbnail: boolean }>
  /**
   * The platform API's app credential when THIS start created it (the data folder's first start), else null: the CLI
   * prints it once; it is stored only as a hash, so it can never be shown again (rotate it to get a new one).
   */
  readonly createdPlatformCredential: string | null
}

export { WS_PATH }
export type { ServerOptions }

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** Trims logs past the retention now and every LOG_TRIM_INTERVAL_MS; returns the stop function. 0 days = off. */
function startLogRetention(trimLogs: (before: number) => Promise<number>, retentionDays: number): () => void {
  if (retentionDays <= 0) return () => {}
  const run = (): void => {
    trimLogs(retentionCutoff(retentionDays, Date.now())).then(
      (dropped) => log.info('trimmed logs past retention', { dropped, retentionDays }),
      (err: unknown) => log.error('trimming logs failed', { error: err instanceof Error ? err.message : String(err) })
    )
  }
  run()
  const timer = setInterval(run, LOG_TRIM_INTERVAL_MS)
  timer.unref()
  return () => clearInterval(timer)
}

export async function startServer(options: ServerOptions): Promise<ServerHandle> {
  const config = resolveConfig(options)
  const storage = storageConfigFromEnv()
  // Cluster mode: the bus to the other nodes (checked before anything opens); one node without it.
  const redisUrl = options.redisUrl ?? storage.redisUrl
  const databaseUrl = options.databaseUrl ?? storage.databaseUrl ?? null
  // Startup checks (cluster/preflight.ts): what is wrong with PostgreSQL as one sentence, before the store thread.
  const opsSettings = nodeOpsSettings(options, process.env)
  if (databaseUrl) await checkDatabase(databaseUrl)
  const bus = redisUrl ? await connectRedisBus(redisUrl) : createLocalBus()
  const opened = await openServerStore(config.dataDir, {
    nativeBinding: options.nativeBinding,
    synchronous: storage.sqliteSynchronous,
    databaseUrl: databaseUrl ?? undefined
  }).catch(async (err: unknown) => {
    await bus.close()
    throw err
  })
  const store = config.testHooks.wrapStore?.(opened) ?? opened
  // Cluster mode: room presence in Redis and the rooms' recent window in the store (services/rooms/live-redis.ts).
  const roomLive = await openRoomLiveState(redisUrl ?? undefined, { nodeId: bus.nodeId, store, presenceTtlMs: config.rooms.presenceTtlMs }).catch(async (err: unknown) => {
    await store.close()
    await bus.close()
    throw err
  })
  const tokens = createTokenService(store, config.tokenTtlSec, config.sessionIdleMs, config.tokenRotationGraceMs)
  const registry = new OnlineRegistry()
  // Pushes and kicks reach every node's devices in a cluster (cluster/delivery.ts); on one node, the registry's.
  const cluster = redisUrl ? createClusterDelivery({ bus, registry, store, presence: createClusterPresence(redisUrl, bus.nodeId, clusterPresenceTtlMsFromEnv()) }) : null
  const live: LiveConnections = cluster ?? localDelivery(registry)
  const contactsConfig = contactsConfigFromEnv()
  const verdictSharing = cluster ? { canCache: () => bus.connected, forgot: (a: string, b: string | null) => cluster.contactsForgot(a, b) } : undefined
  const contacts = createContactsService(store, live, contactsConfig, verdictSharing)
  cluster?.onContactsForget((a, b) => contacts.forgetFromElsewhere(a, b))
  const messageOps = createMessageOpsService(store, live)
  let attachments: AttachmentService
  try {
    // Room membership is live (the rooms service below); the check runs only once requests arrive.
    attachments = await createAttachmentService({
      store,
      dataDir: config.dataDir,
      maxUploadBytes: maxUploadBytes(options.maxUploadMb, process.env),
      isInRoom: (room, user) => rooms.isPresent(room, user),
      unreferencedGraceMs: attachmentGraceMsFromEnv(process.env),
      uploadAbandonMs: uploadAbandonMsFromEnv(process.env)
    })
  } catch (err) {
    roomLive.close()
    cluster?.close()
    await store.close()
    await bus.close()
    throw err
  }
  // A recalled or expired message's attachments are deleted at once unless another live message names them.
  messageOps.onMessagesGone((serverIds) => {
    attachments.release(serverIds).catch((err: unknown) => {
      log.error('deleting released attachments failed', { error: err instanceof Error ? err.message : String(err) })
    })
  })
  // Operations (ops/node-ops.ts): readiness, metrics, the drain; nothing to release until start() (after listen).
  // The gateway's socket count is read at scrape time; the gateway exists once the app server does (below).
  let openSockets = (): number => 0
  const ops = createNodeOps(opsSettings, { databaseUrl, wsPath: WS_PATH, bus, storeStats: () => store.stats(), connections: () => openSockets() })
  const messages = countedSends(createMessageService(timedStore(store, ops.metrics), live, contacts, attachments, messageOps), ops.metrics)
  const groups = createGroupsService(store, live)
  // A device's first connection subscribes it to its groups' live entries (fan-out by online devices).
  registry.useGroupLoader((user) => store.groupIdsOf(user))
  const sync = createSyncService(store, groups)
  const rooms = createRoomService(store, config.rooms, roomLive, attachments, bus)
  const receipts = createReceiptsService(store, live, contacts)
  // A connection that goes away leaves its rooms; its user leaves them after the grace period unless back.
  registry.onRemoved((session) => rooms.socketClosed(session))
  // A deleted account leaves its groups and rooms after the deletion's own transaction (services/accounts.ts).
  const departure = createAccountDeparture(store, groups, rooms)
  const profiles = createProfilesService(store, live, contacts, config.attemptLimits.account, departure)
  live.onPresence((user, online) => profiles.presenceChanged(user, online))
  const reactions = createReactionsService(store, live)
  const devices = createDevicesService(store, live)
  // The device list's last seen: when a device connects and when it goes away.
  registry.onAdded((session) => devices.seen(session.sessionId, session.platform ?? null))
  registry.onRemoved((session) => devices.seen(session.sessionId, null))
  const accounts = createAccountService(store, tokens, createAttemptLimiter(store, config.attemptLimits), contactsConfig.deletedNameReserveMs, (user, sessionId, name) =>
    devices.signedIn(user, sessionId, name)
  )

  const credentials = createAppCredentials(store)
  const platform = createPlatformService({ store, messages, groups, rooms, contacts, live, departure })
  let createdPlatformCredential: string | null
  try {
    createdPlatformCredential = await credentials.ensure()
    await platform.reserveSystemSender()
  } catch (err) {
    roomLive.close()
    cluster?.close()
    await store.close()
    await bus.close()
    throw err
  }
  // Deletions a crash cut short are finished before anyone connects (nobody sees a deleted account as a member).
  await departure.sweep().catch((err: unknown) => {
    log.error('finishing the leaving of deleted accounts failed', { error: err instanceof Error ? err.message : String(err) })
  })
  const app = createAppServer(
    accounts,
    config,
    { service: platform, credentials },
    { service: attachments, tokens: endingSessionsOnReplay(tokens, live) },
    ops.app
  )
  // The WebSocket gateway shares the port: it handles the upgrade requests of fastify's own http.Server.
  const httpServer = app.server
  const gateway = attachGateway(httpServer, {
    config, tokens, store, registry, live, messages, sync, contacts, profiles, rooms, groups, reactions, devices, receipts, messageOps
  })
  openSockets = () => gateway.connections

  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    roomLive.close()
    cluster?.close()
    await store.close()
    await bus.close()
    throw err
  }
  const port = (httpServer.address() as AddressInfo).port
  const url = `http://${hostForUrl(config.host)}:${port}`
  log.info('listening', { url, dataDir: config.dataDir })
  ops.start()
  const stopRetention = startLogRetention(store.trimLogs.bind(store), storage.logRetentionDays)
  const stopAuthCleanup = startAuthCleanup(store)

  let closing: Promise<void> | null = null
  const close = async (): Promise<void> => {
    // Stops accepting connections; resolves once the open ones (the sockets below) are gone.
    const serverClosed = app.close()
    // Commit (and ack) what is queued before the sockets go, so a restart loses no acks it could have written.
    await messages.drain()
    // Sockets closed by the shutdown are not people going offline: friends are not told (see stopPresence).
    profiles.stopPresence()
    await gateway.close(CloseCode.CLOSE_SERVER_RESTART, 'Server is restarting.', GOING_AWAY_WINDOW_MS)
    httpServer.closeAllConnections()
    await serverClosed
    stopRetention()
    stopAuthCleanup()
    messageOps.close()
    // The last-seen times of the devices the shutdown closed are written before the store goes.
    await cluster?.settled()
    await profiles.settled()
    rooms.close()
    attachments.close()
    cluster?.close()
    await store.close()
    await ops.close()
    await bus.close()
    log.info('stopped', { url })
  }
  const drain = (): Promise<void> =>
    ops.drain({
      stopAccepting: () => gateway.stopAccepting(),
      finishCommits: () => messages.drain(),
      // Moving is not going offline: the device is back on another node in a moment (see stopPresence).
      moveClients: async () => {
        profiles.stopPresence()
        await gateway.close(CloseCode.CLOSE_MOVE_NOW, 'This server is draining; reconnect to another one now.')
      },
      close: () => (closing ??= close())
    })

  return {
    url,
    port,
    close: () => (closing ??= close()),
    drain,
    storeStats: () => store.stats(),
    busStats: () => bus.stats(),
    nodeId: bus.nodeId,
    storeRowCounts: () => store.tableRowCounts(),
    roomStats: () => rooms.stats(),
    collectAttachments: (now) => attachments.collect(now),
    attachmentBytesPresent: (id) => attachments.bytesPresent(id),
    createdPlatformCredential
  }
}
